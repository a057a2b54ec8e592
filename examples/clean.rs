//! Cleans the files named on the command line and prints each cleaned text, with a summary of
//! its edits on standard error.
//!
//! ```text
//! cargo run --example clean -- tests/data/seed.txt
//! ```

use scour::{BoilerplateCutter, Cleaner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    // An optional phrase list: `--boilerplate FILE`.
    let mut cleaner = Cleaner::builder();
    if args.peek().map(String::as_str) == Some("--boilerplate") {
        args.next();
        let path = args.next().ok_or("--boilerplate needs a file")?;
        cleaner = cleaner.boilerplate(BoilerplateCutter::from_phrase_file(path)?);
    }
    let cleaner = cleaner.build();

    let mut failed = false;
    for path in args {
        let bytes = std::fs::read(&path)?;
        match cleaner.clean(&bytes) {
            Ok(cleaned) => {
                print!("{}", cleaned.text);
                eprint!(
                    "{path}: {}, {} edits",
                    cleaned.charset.name(),
                    cleaned.edits.len()
                );
                for (kind, count) in cleaned.edit_counts() {
                    eprint!(", {kind} {count}");
                }
                eprintln!();
            }
            Err(err) => {
                eprintln!("{path}: {err}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
