//! Prints every two-byte (and, for EUC-JISX0213, three-byte) sequence a scour codec decodes
//! without error, as `hex<TAB>code points`, so the tables can be diffed against another
//! implementation (`tools/check_codecs.py` does this against Python's codecs).
//!
//! ```text
//! cargo run --example codec_table_dump -- johab > target/johab.rust.txt
//! ```

use scour::codecs::Codec;

fn main() {
    let label = std::env::args()
        .nth(1)
        .expect("usage: codec_table_dump <label>");
    let codec = Codec::for_label(&label).expect("not a scour codec label");
    let mut seqs: Vec<Vec<u8>> = Vec::new();
    for a in 0x80..=0xFFu8 {
        seqs.push(vec![a]);
        for b in 0x21..=0xFFu8 {
            seqs.push(vec![a, b]);
        }
    }
    if codec == Codec::EucJisx0213 {
        for b in 0xA1..=0xFEu8 {
            for c in 0xA1..=0xFEu8 {
                seqs.push(vec![0x8F, b, c]);
            }
        }
    }
    for seq in seqs {
        let (text, malformed) = codec.decode_to_string(&seq);
        // Only sequences that decode as one unit: no error and no ASCII tail character.
        if malformed == 0 && !text.ends_with(|c: char| c.is_ascii()) {
            let hex: String = seq.iter().map(|b| format!("{b:02x}")).collect();
            let cps: Vec<String> = text.chars().map(|c| format!("{:04X}", c as u32)).collect();
            println!("{hex}\t{}", cps.join(" "));
        }
    }
}
