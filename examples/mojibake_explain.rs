//! Shows what the mojibake repairer does with one string: its spans, the badness before and
//! after, and the edits.
//!
//! ```text
//! cargo run --example mojibake_explain -- 'Le barÃ¨me'
//! ```

fn main() {
    let text = std::env::args()
        .nth(1)
        .expect("usage: mojibake_explain <text>");
    let repaired = scour::mojibake::Repairer::new().repair(&text);
    println!("badness before {:.2}", scour::mojibake::badness(&text));
    println!(
        "badness after  {:.2}",
        scour::mojibake::badness(&repaired.text)
    );
    println!("text  {:?}", repaired.text);
    for e in &repaired.edits {
        println!(
            "edit  {} {:?} -> {:?}: {}",
            e.offset, e.removed, e.inserted, e.reason
        );
    }
}
