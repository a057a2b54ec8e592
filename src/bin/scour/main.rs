//! The `scour` command-line tool: a thin layer over the `scour` library.

mod clean;
mod dedup;
mod learn;
mod paths;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Turns scraped, dirty text into clean, deduplicated canonical text.
#[derive(Parser, Debug)]
#[command(name = "scour", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode, normalize and clean files; write them under --out-dir (or to standard output).
    Clean(clean::CleanArgs),
    /// Find exact and near-duplicate documents; write one per cluster to -o.
    Dedup(dedup::DedupArgs),
    /// Learn the boilerplate a site inserts into its pages; write it as a model file.
    Learn(learn::LearnArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Clean(args) => clean::run(args),
        Command::Dedup(args) => dedup::run(args),
        Command::Learn(args) => learn::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("scour: {err}");
            ExitCode::from(2)
        }
    }
}
