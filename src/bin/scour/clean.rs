//! `scour clean`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use rayon::prelude::*;
use scour::input::{walk, InputFile};
use scour::{BoilerplateCutter, Cleaned, Cleaner, Decoder, EditKind, Error};
use serde::Serialize;

use crate::progress::{bar, mb, peak_memory, Timer};

#[derive(Args, Debug)]
pub struct CleanArgs {
    /// Files or directories (walked recursively) to clean.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write each cleaned file at the same relative path under this directory. Without it, the
    /// cleaned texts go to standard output, one after the other.
    #[arg(long, short = 'o')]
    out_dir: Option<PathBuf>,
    /// A phrase list (UTF-8, one phrase per line) to cut wherever it occurs.
    #[arg(long, value_name = "FILE")]
    boilerplate: Vec<PathBuf>,
    /// Decode every input with this encoding (a byte-order mark still wins).
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
    /// Write one JSON line per input: path, encoding, counts and every edit.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Keep repeated copies inside a document.
    #[arg(long)]
    keep_repetition: bool,
    /// Worker threads (default: one per core). Output does not depend on it.
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// No summary on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// After cleaning, drop exact and near-duplicate files (MinHash, default settings; the
    /// first of each cluster is kept and duplicates are neither written nor printed).
    #[arg(long)]
    dedup: bool,
    #[command(flatten)]
    learn: crate::learn::CleanLearnFlags,
}

/// One line of the report.
#[derive(Serialize)]
struct ReportLine<'a> {
    path: &'a Path,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<scour::Method>,
    bytes_in: u64,
    bytes_out: u64,
    chars_out: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    edits: Option<&'a [scour::Edit]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<String>,
}

/// What cleaning one file gave.
struct Outcome {
    path: PathBuf,
    bytes_in: u64,
    result: Result<Cleaned, Error>,
}

/// Files are cleaned in chunks: in parallel within a chunk, reported in input order, so memory
/// stays bounded by a chunk and the output does not depend on the thread count.
const CHUNK: usize = 64;

pub fn run(args: CleanArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut decoder = Decoder::new();
    if let Some(label) = &args.encoding {
        decoder = decoder.force(label)?;
    }
    let mut cutter = BoilerplateCutter::default();
    for path in &args.boilerplate {
        cutter = cutter.with(
            BoilerplateCutter::from_phrase_file(path)?
                .patterns()
                .to_vec(),
        )?;
    }
    // Listed first, so that no output is opened over an input.
    let files = walk(&args.inputs);
    let mut outputs: Vec<(&str, &Path)> = Vec::new();
    if let Some(path) = &args.report {
        outputs.push(("--report", path));
    }
    if let Some(path) = &args.learn.save_model {
        outputs.push(("--save-model", path));
    }
    crate::paths::refuse_inputs_as_outputs(&outputs, &files)?;
    if let Some(dir) = &args.out_dir {
        crate::paths::refuse_output_clashes(dir, &files)?;
    }
    let mut config = Cleaner::builder()
        .decoder(decoder)
        .boilerplate(cutter.clone());
    if args.keep_repetition {
        config = config.repetition(None);
    }
    let config = crate::learn::with_learned(
        config,
        cutter,
        &args.learn,
        &args.inputs,
        args.threads,
        args.quiet,
    )?;
    let cleaner = config.build();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()?;
    let mut report = match &args.report {
        Some(path) => Some(BufWriter::new(
            File::create(path).map_err(|e| Error::io(path, e))?,
        )),
        None => None,
    };
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();

    let progress = bar(files.len() as u64, "files");
    let timer = Timer::start();
    let (mut ok, mut failed, mut bytes_in, mut bytes_out) = (0u64, 0u64, 0u64, 0u64);
    let mut counts = [0u64; EditKind::ALL.len()];
    let mut deduper = args.dedup.then(scour::Deduper::new);
    let mut pushed_paths: Vec<PathBuf> = Vec::new();
    let mut duplicates = 0u64;
    // With --dedup, files are written after the decision, not while cleaning.
    let write_dir = if args.dedup {
        None
    } else {
        args.out_dir.as_deref()
    };

    for chunk in files.chunks(CHUNK) {
        let outcomes: Vec<Outcome> = pool.install(|| {
            chunk
                .par_iter()
                .map(|file| clean_one(&cleaner, file, write_dir))
                .collect()
        });
        for outcome in outcomes {
            progress.inc(1);
            bytes_in += outcome.bytes_in;
            let line = match &outcome.result {
                Ok(cleaned) => {
                    let mut duplicate_of = None;
                    if let Some(d) = &mut deduper {
                        let mut fp = d.fingerprinter().fingerprint(&cleaned.text);
                        fp.edits = cleaned.edits.len() as u64;
                        let decision = d.push_fingerprint(&fp);
                        // Document numbers count the files pushed, in order.
                        pushed_paths.push(outcome.path.clone());
                        match decision.outcome {
                            scour::dedup::Outcome::Keep => {
                                if let (Some(dir), Ok(file)) =
                                    (args.out_dir.as_deref(), chunk_file(chunk, &outcome.path))
                                {
                                    write_cleaned(dir, file, &cleaned.text)?;
                                }
                            }
                            scour::dedup::Outcome::Duplicate { of, .. } => {
                                duplicates += 1;
                                duplicate_of = Some(
                                    pushed_paths
                                        .get(of as usize)
                                        .map_or_else(String::new, |p| p.display().to_string()),
                                );
                            }
                        }
                    }
                    ok += 1;
                    bytes_out += cleaned.text.len() as u64;
                    for edit in &cleaned.edits {
                        let k = EditKind::ALL
                            .iter()
                            .position(|&k| k == edit.kind)
                            .unwrap_or(0);
                        counts[k] += 1;
                    }
                    if args.out_dir.is_none() && duplicate_of.is_none() {
                        stdout
                            .write_all(cleaned.text.as_bytes())
                            .map_err(|e| Error::io("standard output", e))?;
                    }
                    ReportLine {
                        path: &outcome.path,
                        error: None,
                        encoding: Some(cleaned.charset.name()),
                        method: Some(cleaned.method),
                        bytes_in: outcome.bytes_in,
                        bytes_out: cleaned.text.len() as u64,
                        chars_out: cleaned.text.chars().count() as u64,
                        edits: Some(&cleaned.edits),
                        duplicate_of,
                    }
                }
                Err(err) => {
                    failed += 1;
                    progress.suspend(|| eprintln!("scour: {err}"));
                    ReportLine {
                        path: &outcome.path,
                        error: Some(err.to_string()),
                        encoding: None,
                        method: None,
                        bytes_in: outcome.bytes_in,
                        bytes_out: 0,
                        chars_out: 0,
                        edits: None,
                        duplicate_of: None,
                    }
                }
            };
            if let (Some(report), Some(path)) = (&mut report, &args.report) {
                serde_json::to_writer(&mut *report, &line)
                    .map_err(std::io::Error::from)
                    .and_then(|()| report.write_all(b"\n"))
                    .map_err(|e| Error::io(path, e))?;
            }
        }
    }
    progress.finish_and_clear();
    stdout
        .flush()
        .map_err(|e| Error::io("standard output", e))?;
    if let (Some(mut report), Some(path)) = (report, &args.report) {
        report.flush().map_err(|e| Error::io(path, e))?;
    }
    if !args.quiet {
        let secs = timer.seconds();
        eprintln!(
            "scour clean: {ok} files cleaned, {failed} failed; {} in, {} out; {:.2} s, {:.1} MB/s, {:.0} files/s{}",
            mb(bytes_in),
            mb(bytes_out),
            secs,
            bytes_in as f64 / 1e6 / secs,
            (ok + failed) as f64 / secs,
            peak_memory().map_or(String::new(), |m| format!(", peak memory {}", mb(m))),
        );
        let by_kind: Vec<String> = EditKind::ALL
            .iter()
            .zip(counts)
            .filter(|&(_, n)| n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        if !by_kind.is_empty() {
            eprintln!("edits: {}", by_kind.join(", "));
        }
        if args.dedup {
            eprintln!("dedup: {duplicates} duplicate files dropped");
        }
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The input file of `chunk` read from `path`.
fn chunk_file<'a>(chunk: &'a [Result<InputFile, Error>], path: &Path) -> Result<&'a InputFile, ()> {
    chunk.iter().flatten().find(|f| f.path == path).ok_or(())
}

/// Writes a cleaned text at its relative path under `dir`.
fn write_cleaned(dir: &Path, file: &InputFile, text: &str) -> Result<(), Error> {
    let target = dir.join(&file.relative);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(&target, text).map_err(|e| Error::io(&target, e))
}

/// Reads, cleans and (with an output directory) writes one file.
fn clean_one(
    cleaner: &Cleaner,
    file: &Result<InputFile, Error>,
    out_dir: Option<&Path>,
) -> Outcome {
    let file = match file {
        Ok(file) => file,
        Err(err) => {
            let path = match err {
                Error::Io { path, .. } => path.clone(),
                _ => PathBuf::new(),
            };
            let err = Error::io(&path, std::io::Error::other(err.to_string()));
            return Outcome {
                path,
                bytes_in: 0,
                result: Err(err),
            };
        }
    };
    let bytes = match std::fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Outcome {
                path: file.path.clone(),
                bytes_in: 0,
                result: Err(Error::io(&file.path, e)),
            }
        }
    };
    let result = cleaner
        .clean(&bytes)
        .map_err(|e| e.in_file(&file.path))
        .and_then(|cleaned| {
            if let Some(dir) = out_dir {
                let target = dir.join(&file.relative);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                std::fs::write(&target, &cleaned.text).map_err(|e| Error::io(&target, e))?;
            }
            Ok(cleaned)
        });
    Outcome {
        path: file.path.clone(),
        bytes_in: bytes.len() as u64,
        result,
    }
}
