//! `scour dedup`.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use scour::dedup::{DedupConfig, Deduper, Fingerprint, KeepPolicy, Method, Outcome};
use scour::input::{walk, InputFile};
use scour::jsonl::{Document, Documents, Fields, Unparsed};
use scour::Error;
use serde::Serialize;

use crate::progress::{bar, mb, peak_memory, Timer};

#[derive(Args, Debug)]
pub struct DedupArgs {
    /// JSONL files (.jsonl, .ndjson, .json, optionally .gz or .zst), plain text files (one
    /// document each) or directories of them (walked recursively, in name order).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write the kept documents here as JSONL: JSONL records unchanged, plain text files as
    /// {"id", "text"}. JSONL lines that are not documents (not UTF-8, not JSON, no text field)
    /// are reported and written here unchanged, in their place.
    #[arg(long, short = 'o', value_name = "KEPT.jsonl")]
    output: PathBuf,
    /// Write one JSON line per cluster of two or more documents.
    #[arg(long, value_name = "FILE")]
    clusters: Option<PathBuf>,
    /// Write one JSON line per document: id, cluster and decision.
    #[arg(long, value_name = "FILE")]
    decisions: Option<PathBuf>,
    /// Also find exact duplicate paragraphs (lines of at least 10 key characters) across
    /// documents; write one JSON line per document that has any: id, document number and the
    /// repeated spans (byte offsets in the text, with the document of first occurrence).
    #[arg(long, value_name = "FILE")]
    paragraphs: Option<PathBuf>,
    /// The JSONL field holding the text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// The JSONL field holding the id (a record without it is named by its line number).
    #[arg(long, default_value = "id")]
    id_field: String,
    /// Start from settings users know; the options below override them.
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// How near duplicates are found.
    #[arg(long, value_enum)]
    method: Option<MethodArg>,
    /// Jaccard similarity at which two documents are duplicates (MinHash), in (0, 1] [default:
    /// 0.8].
    #[arg(long)]
    threshold: Option<f64>,
    /// Tokens per shingle, 1 to 64: characters in CJK and Thai text, words elsewhere [default:
    /// 5].
    #[arg(long)]
    ngram: Option<usize>,
    /// MinHash permutations, 1 to 1024 [default: 128].
    #[arg(long)]
    num_perm: Option<usize>,
    /// Weight of false negatives (0 to 1) when deriving bands and rows from the threshold
    /// [default: 0.5]; higher finds more pairs near the threshold, with more bands.
    #[arg(long)]
    fn_weight: Option<f64>,
    /// LSH bands (with --rows; default: derived from the threshold). Bands x rows is at most
    /// 1024 and at most --num-perm when that is given (else it raises the permutation count).
    #[arg(long, requires = "rows")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    rows: Option<usize>,
    /// Largest SimHash Hamming distance for a duplicate, 0 to 63 [default: 3].
    #[arg(long)]
    max_distance: Option<u32>,
    /// Which document of a cluster to keep [default: first]. Other than `first`, the inputs are
    /// read twice.
    #[arg(long, value_enum)]
    keep: Option<KeepArg>,
    /// Load this index first, so documents seen in earlier runs count. It is used with the
    /// settings it was made with; any setting given as well must agree with them.
    #[arg(long, value_name = "FILE")]
    index_in: Option<PathBuf>,
    /// Save the index here at the end (atomically: written beside it, then renamed, so it may
    /// be the --index-in file).
    #[arg(long, value_name = "FILE")]
    index_out: Option<PathBuf>,
    /// Print the LSH collision curve of the settings and go on.
    #[arg(long)]
    show_curve: bool,
    /// Worker threads (default: one per core). Output does not depend on it.
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// No summary on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Preset {
    /// Word (and CJK character) 5-grams, 14 bands x 8 rows, threshold 0.75.
    Fineweb,
    /// 24-token shingles, 20 bands x 13 rows, threshold 0.8.
    Nemo,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MethodArg {
    Minhash,
    Simhash,
    Exact,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KeepArg {
    First,
    Longest,
    FewestEdits,
}

impl DedupArgs {
    fn config(&self) -> DedupConfig {
        let mut c = match self.preset {
            Some(Preset::Fineweb) => DedupConfig::fineweb(),
            Some(Preset::Nemo) => DedupConfig::nemo(),
            None => DedupConfig::new(),
        };
        if let Some(m) = self.method {
            c = c.method(match m {
                MethodArg::Minhash => Method::MinHash,
                MethodArg::Simhash => Method::SimHash,
                MethodArg::Exact => Method::Exact,
            });
        }
        if let Some(n) = self.ngram {
            c = c.ngram(n);
        }
        if let Some(p) = self.num_perm {
            c = c.num_perm(p);
        }
        if let Some(t) = self.threshold {
            c = c.threshold(t);
        }
        if let Some(w) = self.fn_weight {
            c = c.fn_weight(w);
        }
        if let (Some(b), Some(r)) = (self.bands, self.rows) {
            c = c.banding(b, r);
        }
        if let Some(k) = self.max_distance {
            c = c.max_distance(k);
        }
        c.keep(match self.keep.unwrap_or(KeepArg::First) {
            KeepArg::First => KeepPolicy::First,
            KeepArg::Longest => KeepPolicy::Longest,
            KeepArg::FewestEdits => KeepPolicy::FewestEdits,
        })
    }

    /// Whether any setting was given (with --index-in, they must agree with the index's).
    fn settings_given(&self) -> bool {
        self.preset.is_some()
            || self.method.is_some()
            || self.threshold.is_some()
            || self.ngram.is_some()
            || self.num_perm.is_some()
            || self.fn_weight.is_some()
            || self.bands.is_some()
            || self.max_distance.is_some()
            || self.keep.is_some()
    }

    /// The settings, checked: a value out of range is reported with its option's name.
    fn checked_config(&self) -> Result<DedupConfig, String> {
        let config = self.config();
        config.validate().map_err(|e| match e {
            Error::Setting {
                name,
                value,
                allowed,
            } => format!("--{} {value}: {allowed}", name.replace('_', "-")),
            e => e.to_string(),
        })?;
        // The library raises the permutation count to bands x rows; a count given explicitly
        // is not overridden silently.
        if let (Some(p), Some(b), Some(r)) = (self.num_perm, self.bands, self.rows) {
            if b * r > p {
                return Err(format!(
                    "--bands {b} x --rows {r} = {} permutations, more than --num-perm {p}",
                    b * r
                ));
            }
        }
        Ok(config)
    }
}

#[derive(Serialize)]
struct ClusterLine<'a> {
    cluster: u32,
    kept: &'a str,
    members: Vec<Member<'a>>,
}

#[derive(Serialize)]
struct Member<'a> {
    id: &'a str,
    similarity: f32,
}

#[derive(Serialize)]
struct DecisionLine<'a> {
    id: &'a str,
    doc: u64,
    cluster: u32,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Serialize)]
struct ParagraphLine<'a> {
    id: &'a str,
    doc: u64,
    spans: &'a [scour::dedup::paragraph::RepeatedSpan],
}

#[derive(Serialize)]
struct PlainRecord<'a> {
    id: &'a str,
    text: &'a str,
}

/// Documents per batch: fingerprinted in parallel, decided in order. A batch also ends at
/// [`BATCH_BYTES`] of text, so memory is bounded by the batch, not by the corpus.
const BATCH: usize = 2048;
const BATCH_BYTES: usize = 8 << 20;

/// Run totals.
#[derive(Default)]
struct Totals {
    docs: u64,
    bytes: u64,
    errors: u64,
    /// Lines that could not be parsed, written to the output unchanged.
    passed: u64,
    exact: u64,
    near: u64,
    paragraphs: u64,
    /// Blank JSONL lines, skipped.
    blank: u64,
    /// Plain text files with malformed bytes, and the sequences replaced by U+FFFD in them.
    replaced_files: u64,
    replaced: u64,
    /// Documents whose id an earlier document already had.
    duplicate_ids: u64,
}

/// Duplicate-id warnings printed one by one; later ones are only counted in the summary.
const ID_WARNINGS: u64 = 20;

/// An output file: every write error names it.
struct Output {
    path: PathBuf,
    w: BufWriter<File>,
}

impl Output {
    fn create(path: &Path) -> Result<Output, Error> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(Output {
            path: path.to_path_buf(),
            w: BufWriter::with_capacity(1 << 16, file),
        })
    }

    /// Writes `bytes` and a line end.
    fn line(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.w
            .write_all(bytes)
            .and_then(|()| self.w.write_all(b"\n"))
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Writes `value` as one JSON line.
    fn json(&mut self, value: &impl Serialize) -> Result<(), Error> {
        serde_json::to_writer(&mut self.w, value)
            .map_err(std::io::Error::from)
            .and_then(|()| self.w.write_all(b"\n"))
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Writes a kept document: a JSONL record unchanged, a plain text file as {"id", "text"}.
    fn doc(&mut self, doc: &Document) -> Result<(), Error> {
        match &doc.raw {
            Some(raw) => self.line(raw.as_bytes()),
            None => self.json(&PlainRecord {
                id: &doc.id,
                text: &doc.text,
            }),
        }
    }

    fn finish(mut self) -> Result<(), Error> {
        self.w.flush().map_err(|e| Error::io(&self.path, e))
    }
}

/// The names documents go by in --clusters, --decisions and --paragraphs, which must be
/// unambiguous: the first document with an id keeps it, a later one is named `ID@FILE:LINE`.
#[derive(Default)]
struct Names {
    /// xxh3-128 of each id given out, with where it was first seen (file number, line).
    seen: HashMap<u128, (usize, u64)>,
}

impl Names {
    /// The name of `doc`, read from `files[file]`, and the warning to print when its id was
    /// taken.
    fn name(
        &mut self,
        doc: &Document,
        file: usize,
        files: &[Result<InputFile, Error>],
    ) -> (String, Option<String>) {
        let path = |i: usize| match &files[i] {
            Ok(f) => f.path.display().to_string(),
            Err(_) => String::new(),
        };
        let hash = xxhash_rust::xxh3::xxh3_128(doc.id.as_bytes());
        match self.seen.get(&hash) {
            None => {
                self.seen.insert(hash, (file, doc.line));
                (doc.id.clone(), None)
            }
            Some(&(first, line)) => {
                let here = format!("{}:{}", path(file), doc.line);
                let name = format!("{}@{here}", doc.id);
                let warning = format!(
                    "{here}: id {:?} was already used at {}:{line}; named {name:?} in the outputs",
                    doc.id,
                    path(first)
                );
                (name, Some(warning))
            }
        }
    }
}

pub fn run(args: DedupArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = args.checked_config()?;
    // Listed first, so that no output is opened over an input.
    let files = walk(&args.inputs);
    check_outputs(&args, &files)?;
    if args.show_curve {
        eprint!("{}", config.get_banding().collision_curve());
    }
    let mut deduper = match &args.index_in {
        // Settings given with an index must be the index's: going on with others would mix
        // two kinds of decisions in one index.
        Some(path) if args.settings_given() => Deduper::load_expecting(path, &config)?,
        Some(path) => Deduper::load(path)?,
        None => config.build()?,
    };
    let first_doc = deduper.docs();
    let two_pass = deduper.config().get_keep() != KeepPolicy::First;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()?;
    let fields = Fields {
        text: args.text_field.clone(),
        id: args.id_field.clone(),
        ..Fields::default()
    };
    // Every output is created before the work, so that a missing directory fails at once.
    let mut out = Output::create(&args.output)?;
    let open = |path: &Option<PathBuf>| path.as_deref().map(Output::create).transpose();
    let mut paragraphs_out = open(&args.paragraphs)?;
    let mut decisions_out = open(&args.decisions)?;
    let clusters_out = open(&args.clusters)?;
    let mut paragraphs = args
        .paragraphs
        .as_ref()
        .map(|_| scour::dedup::paragraph::ParagraphDeduper::new());
    // For --clusters: every document's name (kept ones are needed whenever a duplicate comes),
    // and the members of clusters that got one.
    let want_clusters = args.clusters.is_some();
    let want_names = want_clusters || args.decisions.is_some() || args.paragraphs.is_some();
    let mut names = Names::default();
    let mut ids: Vec<String> = Vec::new();
    let mut members: BTreeMap<u32, Vec<(u64, f32)>> = BTreeMap::new();
    // For two passes: each document's cluster.
    let mut cluster_of: Vec<u32> = Vec::new();

    let progress = bar(files.len() as u64, "files");
    let timer = Timer::start();
    let mut t = Totals::default();
    // Each record with the number of the file it came from.
    let mut batch: Vec<(usize, Unparsed)> = Vec::with_capacity(BATCH);
    let mut batch_bytes = 0usize;

    // Records are read in order on this thread, then parsed and fingerprinted in parallel, then
    // decided in order: the output does not depend on the thread count.
    let mut flush = |batch: &mut Vec<(usize, Unparsed)>,
                     deduper: &mut Deduper,
                     t: &mut Totals,
                     out: &mut Output|
     -> Result<(), Box<dyn std::error::Error>> {
        let fingerprinter = deduper.fingerprinter().clone();
        let para = paragraphs.as_ref();
        type Parsed = (
            usize,
            Document,
            Fingerprint,
            Vec<scour::dedup::paragraph::ParagraphHash>,
        );
        // Boxed: a small Err keeps the Ok path's moves cheap.
        type Failed = Box<(Error, Unparsed)>;
        let parsed: Vec<Result<Parsed, Failed>> = pool.install(|| {
            std::mem::take(batch)
                .into_par_iter()
                .map(|(file, u)| match u.parse() {
                    Ok(d) => {
                        let fp = fingerprinter.fingerprint(&d.text);
                        let ph = para.map_or_else(Vec::new, |p| p.hashes(&d.text));
                        Ok((file, d, fp, ph))
                    }
                    Err(e) => Err(Box::new((e, u))),
                })
                .collect()
        });
        for item in parsed {
            let (file, doc, fp, ph) = match item {
                Ok(x) => x,
                Err(failed) => {
                    let (e, u) = *failed;
                    t.errors += 1;
                    match u.raw() {
                        // A JSONL line that is not a document: reported, and written where
                        // it was, unchanged, so nothing read is lost.
                        Some(raw) => {
                            t.passed += 1;
                            eprintln!("scour: {e} (written unchanged)");
                            if !two_pass {
                                out.line(raw)?;
                            }
                        }
                        None => eprintln!("scour: {e}"),
                    }
                    continue;
                }
            };
            if doc.malformed > 0 {
                // Decoded all the same, but the replaced bytes are gone from the text.
                t.replaced_files += 1;
                t.replaced += doc.malformed as u64;
                eprintln!(
                    "scour: warning: {}: {} malformed byte sequences replaced by U+FFFD",
                    doc.id, doc.malformed
                );
            }
            let name = if want_names {
                let (name, warning) = names.name(&doc, file, &files);
                if let Some(w) = warning {
                    t.duplicate_ids += 1;
                    if t.duplicate_ids <= ID_WARNINGS {
                        eprintln!("scour: warning: {w}");
                    }
                    if t.duplicate_ids == ID_WARNINGS {
                        eprintln!(
                            "scour: warning: further duplicate ids are only counted in the summary"
                        );
                    }
                }
                name
            } else {
                String::new()
            };
            let decision = deduper.push_fingerprint(&fp);
            if let (Some(p), Some(w)) = (&mut paragraphs, &mut paragraphs_out) {
                let spans = p.push_hashes(&ph);
                if !spans.is_empty() {
                    t.paragraphs += spans.len() as u64;
                    w.json(&ParagraphLine {
                        id: &name,
                        doc: decision.doc,
                        spans: &spans,
                    })?;
                }
            }
            t.docs += 1;
            t.bytes += doc.text.len() as u64;
            if two_pass {
                cluster_of.push(decision.cluster);
            }
            match decision.outcome {
                Outcome::Keep => {
                    if !two_pass {
                        out.doc(&doc)?;
                    }
                }
                Outcome::Duplicate {
                    of,
                    similarity,
                    method,
                } => {
                    if method == scour::dedup::Match::Exact {
                        t.exact += 1;
                    } else {
                        t.near += 1;
                    }
                    if want_clusters {
                        let m = members.entry(decision.cluster).or_default();
                        if m.is_empty() {
                            m.push((of, 1.0));
                        }
                        m.push((decision.doc, similarity));
                    }
                }
            }
            if let Some(d) = &mut decisions_out {
                d.json(&DecisionLine {
                    id: &name,
                    doc: decision.doc,
                    cluster: decision.cluster,
                    outcome: decision.outcome,
                })?;
            }
            if want_clusters {
                ids.push(name);
            }
        }
        Ok(())
    };

    for (number, file) in files.iter().enumerate() {
        progress.inc(1);
        let file = match file {
            Ok(f) => f,
            Err(e) => {
                t.errors += 1;
                progress.suspend(|| eprintln!("scour: {e}"));
                continue;
            }
        };
        let mut docs = match Documents::open(&file.path, &fields) {
            Ok(d) => d,
            Err(e) => {
                t.errors += 1;
                progress.suspend(|| eprintln!("scour: {e}"));
                continue;
            }
        };
        while let Some(record) = docs.next_unparsed() {
            match record {
                Ok(record) => {
                    batch_bytes += record.len();
                    batch.push((number, record));
                    if batch.len() == BATCH || batch_bytes >= BATCH_BYTES {
                        batch_bytes = 0;
                        progress.suspend(|| flush(&mut batch, &mut deduper, &mut t, &mut out))?;
                        progress.set_message(format!("{} docs", t.docs));
                    }
                }
                Err(e) => {
                    // Reading errors are reported in order with the batch before them.
                    batch_bytes = 0;
                    flush(&mut batch, &mut deduper, &mut t, &mut out)?;
                    t.errors += 1;
                    progress.suspend(|| eprintln!("scour: {e}"));
                }
            }
        }
        t.blank += docs.blank_lines();
    }
    flush(&mut batch, &mut deduper, &mut t, &mut out)?;
    progress.finish_and_clear();

    if two_pass {
        // Second pass: write the documents that are their cluster's final choice.
        let mut n = first_doc;
        for file in files.iter().flatten() {
            let Ok(mut docs) = Documents::open(&file.path, &fields) else {
                continue;
            };
            while let Some(record) = docs.next_unparsed() {
                // Reading errors were reported in the first pass.
                let Ok(record) = record else { continue };
                match record.parse() {
                    Ok(doc) => {
                        let cluster = cluster_of[(n - first_doc) as usize];
                        if deduper.kept(cluster) == Some(n) {
                            out.doc(&doc)?;
                        }
                        n += 1;
                    }
                    Err(_) => {
                        if let Some(raw) = record.raw() {
                            out.line(raw)?;
                        }
                    }
                }
            }
        }
    }
    out.finish()?;
    if let Some(d) = decisions_out {
        d.finish()?;
    }
    if let Some(w) = paragraphs_out {
        w.finish()?;
    }
    let id_of = |doc: u64| -> String {
        doc.checked_sub(first_doc)
            .and_then(|i| ids.get(i as usize))
            .cloned()
            .unwrap_or_else(|| format!("@{doc}"))
    };
    if let Some(mut w) = clusters_out {
        for (&cluster, m) in &members {
            let kept = deduper.kept(cluster).map_or_else(String::new, &id_of);
            let names: Vec<String> = m.iter().map(|&(d, _)| id_of(d)).collect();
            w.json(&ClusterLine {
                cluster,
                kept: &kept,
                members: m
                    .iter()
                    .zip(&names)
                    .map(|(&(_, similarity), id)| Member { id, similarity })
                    .collect(),
            })?;
        }
        w.finish()?;
    }
    if let Some(path) = &args.index_out {
        deduper.save(path)?;
    }
    if args.paragraphs.is_some() && !args.quiet {
        eprintln!("scour dedup: {} repeated paragraphs", t.paragraphs);
    }
    for w in deduper.warnings() {
        eprintln!("scour: warning: {w}");
    }
    if !args.quiet {
        let secs = timer.seconds();
        let memory = deduper.memory();
        let kept = deduper.clusters() as u64;
        // Counts that are usually 0 are shown only when they are not.
        let mut notes = String::new();
        if t.replaced_files > 0 {
            notes += &format!(
                "; {} files with malformed bytes ({} sequences replaced by U+FFFD)",
                t.replaced_files, t.replaced
            );
        }
        if t.duplicate_ids > 0 {
            notes += &format!("; {} duplicate ids (named ID@FILE:LINE)", t.duplicate_ids);
        }
        if t.blank > 0 {
            notes += &format!("; {} blank lines skipped", t.blank);
        }
        eprintln!(
            "scour dedup: {} docs, {} in {:.2} s ({:.0} docs/s, {:.1} MB/s); {} duplicates ({} exact, {} near); {} kept; {} clusters of 2 or more, largest {}; {} errors ({} lines written unchanged){notes}; index {} ({:.0} B/doc){}",
            t.docs,
            mb(t.bytes),
            secs,
            t.docs as f64 / secs,
            t.bytes as f64 / 1e6 / secs,
            t.exact + t.near,
            t.exact,
            t.near,
            kept,
            deduper.clusters_with_duplicates(),
            deduper.largest_cluster(),
            t.errors,
            t.passed,
            mb(memory.total() as u64),
            memory.total() as f64 / deduper.docs().max(1) as f64,
            peak_memory().map_or(String::new(), |m| format!("; peak memory {}", mb(m))),
        );
    }
    Ok(if t.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Refuses, before anything is opened for writing: an output over an input (the JSONL or text
/// inputs, or --index-in, which only --index-out may replace), two outputs at one path, and an
/// output whose directory does not exist (so that no output is truncated by a run that cannot
/// go on; --index-out is written only at the end).
fn check_outputs(args: &DedupArgs, files: &[Result<InputFile, Error>]) -> Result<(), String> {
    let mut outputs: Vec<(&str, &Path)> = vec![("-o", &args.output)];
    for (flag, path) in [
        ("--clusters", &args.clusters),
        ("--decisions", &args.decisions),
        ("--paragraphs", &args.paragraphs),
        ("--index-out", &args.index_out),
    ] {
        if let Some(p) = path {
            outputs.push((flag, p));
        }
    }
    crate::paths::refuse_shared_outputs(&outputs)?;
    crate::paths::refuse_inputs_as_outputs(&outputs, files)?;
    if let Some(index) = &args.index_in {
        let index = [Ok(InputFile {
            path: index.clone(),
            relative: PathBuf::new(),
        })];
        let not_index_out: Vec<(&str, &Path)> = outputs
            .iter()
            .copied()
            .filter(|&(flag, _)| flag != "--index-out")
            .collect();
        crate::paths::refuse_inputs_as_outputs(&not_index_out, &index)?;
    }
    for (flag, path) in &outputs {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(format!(
                "{flag} {}: the directory {} does not exist",
                path.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}
