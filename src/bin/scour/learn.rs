//! `scour learn`, and the learning that `scour clean` does on many inputs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::Args;
use rayon::prelude::*;
use scour::input::{walk, InputFile};
use scour::learn::{BoilerplateLearner, BoilerplateModel, MIN_CORPUS_DOCS};
use scour::{BoilerplateCutter, Cleaner, CleanerConfig, Decoder, Error};

use crate::progress::{mb, peak_memory, Timer};

#[derive(Args, Debug)]
pub struct LearnArgs {
    /// Files or directories (walked recursively) of one site's pages to learn from.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write the learned model (JSON) to this file.
    #[arg(long, short = 'o', value_name = "MODEL")]
    output: PathBuf,
    /// Decode every input with this encoding (a byte-order mark still wins).
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
    /// A span must occur in at least this many documents.
    #[arg(long, value_name = "N", default_value_t = 10)]
    min_docs: u64,
    /// A span must occur in at least this fraction of the documents.
    #[arg(long, value_name = "F", default_value_t = 0.02)]
    min_fraction: f64,
    /// Worker threads (default: one per core). The model does not depend on it.
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// No summary on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// The learning flags of `scour clean`.
#[derive(Args, Debug)]
pub struct CleanLearnFlags {
    /// Cut the boilerplate of this learned model (from `scour learn`); nothing is learned then.
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    /// Do not learn boilerplate from the inputs. Without this flag (and without --model), a
    /// run over at least 50 files first learns the boilerplate they share, then cleans them.
    #[arg(long)]
    no_learn: bool,
    /// Write the model learned from the inputs to this file.
    #[arg(long, value_name = "MODEL")]
    pub save_model: Option<PathBuf>,
}

pub fn run(args: LearnArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut decoder = Decoder::new();
    if let Some(label) = &args.encoding {
        decoder = decoder.force(label)?;
    }
    let config = Cleaner::builder().decoder(decoder);
    let learner = BoilerplateLearner::builder()
        .min_docs(args.min_docs)
        .min_doc_fraction(args.min_fraction)
        .build();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()?;
    let files = walk(&args.inputs);
    crate::paths::refuse_inputs_as_outputs(&[("-o", &args.output)], &files)?;
    let timer = Timer::start();
    let (model, failed) = learn_files(&learner, &config.build(), &files, &pool, true);
    model.save(&args.output)?;
    if !args.quiet {
        summary(&model, failed, &timer);
        eprintln!("model written to {}", args.output.display());
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Adds learned boilerplate to a `scour clean` configuration: the `--model` file's, or, unless
/// `--no-learn`, what the inputs share when there are at least [`MIN_CORPUS_DOCS`] of them.
/// `phrases` is the phrase-list cutter already in `config`; the learned patterns join it.
pub fn with_learned(
    config: CleanerConfig,
    phrases: BoilerplateCutter,
    flags: &CleanLearnFlags,
    inputs: &[PathBuf],
    threads: Option<usize>,
    quiet: bool,
) -> Result<CleanerConfig, Box<dyn std::error::Error>> {
    if let Some(path) = &flags.model {
        let model = BoilerplateModel::load(path)?;
        return Ok(config.boilerplate(phrases.with(model.patterns())?));
    }
    if flags.no_learn {
        return Ok(config);
    }
    let files = walk(inputs);
    let readable = files.iter().filter(|f| f.is_ok()).count() as u64;
    if readable < MIN_CORPUS_DOCS {
        return Ok(config);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    let timer = Timer::start();
    // Documents are prepared as they will be cleaned, without boilerplate cutting.
    let preparer = config
        .clone()
        .boilerplate(BoilerplateCutter::default())
        .build();
    // Files that fail are skipped here and reported by the cleaning that follows.
    let (model, skipped) = learn_files(&BoilerplateLearner::new(), &preparer, &files, &pool, false);
    if let Some(path) = &flags.save_model {
        model.save(path)?;
    }
    if !quiet {
        eprint!("scour clean: learning: ");
        summary(&model, skipped, &timer);
    }
    Ok(config.boilerplate(phrases.with(model.patterns())?))
}

fn summary(model: &BoilerplateModel, failed: u64, timer: &Timer) {
    let secs = timer.seconds();
    eprintln!(
        "{} spans learned from {} documents ({} characters), {failed} failed; {:.2} s{}",
        model.entries.len(),
        model.documents,
        model.chars,
        secs,
        peak_memory().map_or(String::new(), |m| format!(", peak memory {}", mb(m))),
    );
    for e in &model.entries {
        eprintln!(
            "  {:?} ({:?}, in {} documents)",
            e.text, e.placement, e.doc_frequency
        );
    }
}

/// Files are read and cleaned in parallel chunks of this many, in input order.
const CHUNK: usize = 64;

/// Learns from files: each of the learner's passes reads and cleans them again, so memory stays
/// bounded by a chunk of files. Files that cannot be read or are not text are skipped, and
/// reported once when `report` is set; their number is returned.
fn learn_files(
    learner: &BoilerplateLearner,
    cleaner: &Cleaner,
    files: &[Result<InputFile, Error>],
    pool: &rayon::ThreadPool,
    report: bool,
) -> (BoilerplateModel, u64) {
    let mut pass = 0;
    let failed = AtomicU64::new(0);
    let model = pool.install(|| {
        learner.learn(|| {
            pass += 1;
            let first = pass == 1;
            let failed = &failed;
            files.chunks(CHUNK).flat_map(move |chunk| {
                let texts: Vec<Result<String, String>> =
                    chunk.par_iter().map(|f| read_clean(cleaner, f)).collect();
                texts
                    .into_iter()
                    .filter_map(|t| match t {
                        Ok(text) => Some(text),
                        Err(err) => {
                            if first {
                                failed.fetch_add(1, Ordering::Relaxed);
                                if report {
                                    eprintln!("scour: {err}");
                                }
                            }
                            None
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    (model, failed.into_inner())
}

fn read_clean(cleaner: &Cleaner, file: &Result<InputFile, Error>) -> Result<String, String> {
    let file = file.as_ref().map_err(|e| e.to_string())?;
    let bytes = std::fs::read(&file.path).map_err(|e| Error::io(&file.path, e).to_string())?;
    cleaner
        .clean(&bytes)
        .map(|c| c.text)
        .map_err(|e| e.in_file(Path::new(&file.path)).to_string())
}
