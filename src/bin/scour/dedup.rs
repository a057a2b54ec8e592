//! `scour dedup`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use scour::dedup::{DedupConfig, Deduper, Fingerprint, KeepPolicy, Method, Outcome};
use scour::input::walk;
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
    /// Jaccard similarity at which two documents are duplicates (MinHash) [default: 0.8].
    #[arg(long)]
    threshold: Option<f64>,
    /// Tokens per shingle: characters in CJK and Thai text, words elsewhere [default: 5].
    #[arg(long)]
    ngram: Option<usize>,
    /// MinHash permutations [default: 128].
    #[arg(long)]
    num_perm: Option<usize>,
    /// Weight of false negatives (0 to 1) when deriving bands and rows from the threshold
    /// [default: 0.5]; higher finds more pairs near the threshold, with more bands.
    #[arg(long)]
    fn_weight: Option<f64>,
    /// LSH bands (with --rows; default: derived from the threshold).
    #[arg(long, requires = "rows")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    rows: Option<usize>,
    /// Largest SimHash Hamming distance for a duplicate [default: 3].
    #[arg(long)]
    max_distance: Option<u32>,
    /// Which document of a cluster to keep. Other than `first`, the inputs are read twice.
    #[arg(long, value_enum, default_value = "first")]
    keep: KeepArg,
    /// Load this index first, so documents seen in earlier runs count.
    #[arg(long, value_name = "FILE")]
    index_in: Option<PathBuf>,
    /// Save the index here at the end.
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
        c.keep(match self.keep {
            KeepArg::First => KeepPolicy::First,
            KeepArg::Longest => KeepPolicy::Longest,
            KeepArg::FewestEdits => KeepPolicy::FewestEdits,
        })
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
}

pub fn run(args: DedupArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = args.config();
    if args.show_curve {
        eprint!("{}", config.get_banding().collision_curve());
    }
    let mut deduper = match &args.index_in {
        Some(path) => {
            let d = Deduper::load(path)?;
            if d.config() != &config {
                eprintln!(
                    "scour: {}: the index was made with other settings; using the index's",
                    path.display()
                );
            }
            d
        }
        None => config.build(),
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
    let mut out =
        BufWriter::new(File::create(&args.output).map_err(|e| Error::io(&args.output, e))?);
    let mut paragraphs = args
        .paragraphs
        .as_ref()
        .map(|_| scour::dedup::paragraph::ParagraphDeduper::new());
    let mut paragraphs_out = match &args.paragraphs {
        Some(p) => Some(BufWriter::new(
            File::create(p).map_err(|e| Error::io(p, e))?,
        )),
        None => None,
    };
    let mut decisions_out = match &args.decisions {
        Some(p) => Some(BufWriter::new(
            File::create(p).map_err(|e| Error::io(p, e))?,
        )),
        None => None,
    };
    // For --clusters: every document's id (kept ones are needed whenever a duplicate comes),
    // and the members of clusters that got one.
    let want_clusters = args.clusters.is_some();
    let mut ids: Vec<String> = Vec::new();
    let mut members: BTreeMap<u32, Vec<(u64, f32)>> = BTreeMap::new();
    // For two passes: each document's cluster.
    let mut cluster_of: Vec<u32> = Vec::new();

    let files = walk(&args.inputs);
    let progress = bar(files.len() as u64, "files");
    let timer = Timer::start();
    let mut t = Totals::default();
    let mut batch: Vec<Unparsed> = Vec::with_capacity(BATCH);
    let mut batch_bytes = 0usize;

    // Records are read in order on this thread, then parsed and fingerprinted in parallel, then
    // decided in order: the output does not depend on the thread count.
    let mut flush = |batch: &mut Vec<Unparsed>,
                     deduper: &mut Deduper,
                     t: &mut Totals,
                     out: &mut BufWriter<File>|
     -> Result<(), Box<dyn std::error::Error>> {
        let fingerprinter = deduper.fingerprinter().clone();
        let para = paragraphs.as_ref();
        type Parsed = (
            Document,
            Fingerprint,
            Vec<scour::dedup::paragraph::ParagraphHash>,
        );
        let parsed: Vec<Result<Parsed, (Error, Unparsed)>> = pool.install(|| {
            std::mem::take(batch)
                .into_par_iter()
                .map(|u| match u.parse() {
                    Ok(d) => {
                        let fp = fingerprinter.fingerprint(&d.text);
                        let ph = para.map_or_else(Vec::new, |p| p.hashes(&d.text));
                        Ok((d, fp, ph))
                    }
                    Err(e) => Err((e, u)),
                })
                .collect()
        });
        for item in parsed {
            let (doc, fp, ph) = match item {
                Ok(x) => x,
                Err((e, u)) => {
                    t.errors += 1;
                    match u.raw() {
                        // A JSONL line that is not a document: reported, and written where
                        // it was, unchanged, so nothing read is lost.
                        Some(raw) => {
                            t.passed += 1;
                            eprintln!("scour: {e} (written unchanged)");
                            if !two_pass {
                                write_raw(out, raw)?;
                            }
                        }
                        None => eprintln!("scour: {e}"),
                    }
                    continue;
                }
            };
            let decision = deduper.push_fingerprint(&fp);
            if let (Some(p), Some(w)) = (&mut paragraphs, &mut paragraphs_out) {
                let spans = p.push_hashes(&ph);
                if !spans.is_empty() {
                    t.paragraphs += spans.len() as u64;
                    serde_json::to_writer(
                        &mut *w,
                        &ParagraphLine {
                            id: &doc.id,
                            doc: decision.doc,
                            spans: &spans,
                        },
                    )?;
                    w.write_all(b"\n")?;
                }
            }
            t.docs += 1;
            t.bytes += doc.text.len() as u64;
            if want_clusters {
                ids.push(doc.id.clone());
            }
            if two_pass {
                cluster_of.push(decision.cluster);
            }
            match decision.outcome {
                Outcome::Keep => {
                    if !two_pass {
                        write_doc(out, &doc)?;
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
                serde_json::to_writer(
                    &mut *d,
                    &DecisionLine {
                        id: &doc.id,
                        doc: decision.doc,
                        cluster: decision.cluster,
                        outcome: decision.outcome,
                    },
                )?;
                d.write_all(b"\n")?;
            }
        }
        Ok(())
    };

    for file in &files {
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
                    batch.push(record);
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
                            write_doc(&mut out, &doc)?;
                        }
                        n += 1;
                    }
                    Err(_) => {
                        if let Some(raw) = record.raw() {
                            write_raw(&mut out, raw)?;
                        }
                    }
                }
            }
        }
    }
    out.flush()?;
    if let Some(mut d) = decisions_out {
        d.flush()?;
    }
    if let Some(mut w) = paragraphs_out {
        w.flush()?;
    }
    let id_of = |doc: u64| -> String {
        doc.checked_sub(first_doc)
            .and_then(|i| ids.get(i as usize))
            .cloned()
            .unwrap_or_else(|| format!("@{doc}"))
    };
    if let Some(path) = &args.clusters {
        let mut w = BufWriter::new(File::create(path).map_err(|e| Error::io(path, e))?);
        for (&cluster, m) in &members {
            let kept = deduper.kept(cluster).map_or_else(String::new, &id_of);
            let names: Vec<String> = m.iter().map(|&(d, _)| id_of(d)).collect();
            let line = ClusterLine {
                cluster,
                kept: &kept,
                members: m
                    .iter()
                    .zip(&names)
                    .map(|(&(_, similarity), id)| Member { id, similarity })
                    .collect(),
            };
            serde_json::to_writer(&mut w, &line)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
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
        eprintln!(
            "scour dedup: {} docs, {} in {:.2} s ({:.0} docs/s, {:.1} MB/s); {} duplicates ({} exact, {} near); {} kept; {} clusters of 2 or more, largest {}; {} errors ({} lines written unchanged); index {} ({:.0} B/doc){}",
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

fn write_raw(out: &mut impl Write, raw: &[u8]) -> std::io::Result<()> {
    out.write_all(raw)?;
    out.write_all(b"\n")
}

fn write_doc(out: &mut impl Write, doc: &Document) -> std::io::Result<()> {
    match &doc.raw {
        Some(raw) => out.write_all(raw.as_bytes())?,
        None => serde_json::to_writer(
            &mut *out,
            &PlainRecord {
                id: &doc.id,
                text: &doc.text,
            },
        )?,
    }
    out.write_all(b"\n")
}
