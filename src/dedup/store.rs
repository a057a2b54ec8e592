//! Saving and loading a [`Deduper`]'s index.
//!
//! The layout, all integers little-endian:
//!
//! ```text
//! "SCOURIDX" u32 version(=2) u64 body length, u64 xxh3-64 of the body     header, 28 bytes
//! body:
//! u64 len, config as JSON
//! u64 docs
//! u64 n, n × (u64 kept, u32 size)                clusters
//! u64 n, n × u64                                  keep-policy preferences
//! u64 n, n bytes                                  sketches
//! u64 bands, per band: u64 n, n × u64 slots       LSH tables
//! u64 n, n × (u128 key hash, u32 cluster)         exact table, sorted by key hash
//! u64 n, n × (u32 cluster, u64 simhash)           SimHash entries, sorted by cluster
//! ```
//!
//! Loading first checks the body's length and checksum (one streaming pass), so a truncated or
//! corrupted file is reported as such; then it parses the body checking every count against
//! the bytes left (no allocation larger than the file) and every number against the rest
//! (cluster numbers, document numbers, table load, sort order, settings), so that even a file
//! with a valid checksum but inconsistent contents gives [`Error::Index`], never a panic.
//!
//! Saving writes a temporary file in the same directory, syncs it and renames it over the
//! target, so an index can be updated in place (`--index-in X --index-out X`) and a failed or
//! interrupted save leaves the old index as it was.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use super::lsh::{BandIndex, BandTable};
use super::{ClusterState, DedupConfig, Deduper, ExactTable, Method, SimhashIndex};
use crate::dedup::KeepPolicy;
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"SCOURIDX";
const VERSION: u32 = 2;
const HEADER_LEN: u64 = 8 + 4 + 8 + 8;
/// The largest configuration JSON accepted (it is a few hundred bytes).
const MAX_CONFIG_LEN: u64 = 1 << 20;

impl Deduper {
    /// Writes the index to `path` (see the layout in the source of this module), atomically:
    /// through a temporary file in the same directory, synced and renamed over `path`. The file
    /// holds everything needed to go on: configuration, clusters, sketches, band tables and
    /// exact keys, with a checksum.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming `path` if the file cannot be written (the temporary file is
    /// removed, and a file already at `path` is left as it was).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = temp_path(path);
        let result = self.save_to_temp(&tmp).and_then(|()| {
            std::fs::rename(&tmp, path)?;
            sync_dir(path);
            Ok(())
        });
        result.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
    }

    fn save_to_temp(&self, tmp: &Path) -> std::io::Result<()> {
        let file = File::create(tmp)?;
        let mut w = Hashing {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: Xxh3::new(),
            len: 0,
        };
        // The header's length and checksum are written last, over these zeros.
        w.inner.write_all(MAGIC)?;
        w.inner.write_all(&VERSION.to_le_bytes())?;
        w.inner.write_all(&[0; 16])?;
        self.write_body(&mut w)?;
        let (len, sum) = (w.len, w.hasher.digest());
        let mut file = w.inner.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(12))?;
        file.write_all(&len.to_le_bytes())?;
        file.write_all(&sum.to_le_bytes())?;
        file.sync_all()
    }

    fn write_body(&self, w: &mut impl Write) -> std::io::Result<()> {
        let config = serde_json::to_vec(self.config()).map_err(std::io::Error::other)?;
        put_u64(w, config.len() as u64)?;
        w.write_all(&config)?;
        put_u64(w, self.docs)?;
        put_u64(w, self.clusters.len() as u64)?;
        for c in &self.clusters {
            put_u64(w, c.kept)?;
            w.write_all(&c.size.to_le_bytes())?;
        }
        put_u64(w, self.preference.len() as u64)?;
        for &p in &self.preference {
            put_u64(w, p)?;
        }
        put_u64(w, self.sketches.len() as u64)?;
        w.write_all(&self.sketches)?;
        put_u64(w, self.bands.tables().len() as u64)?;
        for t in self.bands.tables() {
            put_u64(w, t.slots().len() as u64)?;
            for &s in t.slots() {
                put_u64(w, s)?;
            }
        }
        let mut exact: Vec<(u128, u32)> = self
            .exact
            .iter()
            .map(|(&(hi, lo), &v)| ((u128::from(hi) << 64) | u128::from(lo), v))
            .collect();
        exact.sort_unstable();
        put_u64(w, exact.len() as u64)?;
        for (k, v) in exact {
            w.write_all(&k.to_le_bytes())?;
            w.write_all(&v.to_le_bytes())?;
        }
        let sims = self.simhashes.entries();
        put_u64(w, sims.len() as u64)?;
        for (c, h) in sims {
            w.write_all(&c.to_le_bytes())?;
            put_u64(w, h)?;
        }
        Ok(())
    }

    /// Reads an index written by [`save`](Self::save), with the settings it was made with.
    /// Documents pushed afterwards are numbered on from the saved count.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; [`Error::Index`] naming the file if it is not
    /// an index of this version, is cut short or has bytes after its end, fails its checksum,
    /// or holds inconsistent contents or settings out of range.
    pub fn load(path: &Path) -> Result<Deduper> {
        let fail = |f: Fail| match f {
            Fail::Io(e) => Error::io(path, e),
            Fail::Bad(message) => Error::Index {
                path: path.to_path_buf(),
                message,
            },
        };
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = verify(&mut file).map_err(fail)?;
        file.seek(SeekFrom::Start(HEADER_LEN))
            .map_err(|e| Error::io(path, e))?;
        let mut r = Body {
            inner: BufReader::with_capacity(1 << 20, file.take(len)),
            left: len,
        };
        read_body(&mut r).map_err(fail)
    }

    /// Like [`load`](Self::load), and refuses an index made with other settings than
    /// `expected` (as told by [`DedupConfig::differences`]): going on with other settings
    /// would mix two kinds of decisions in one index.
    ///
    /// # Errors
    ///
    /// Those of [`load`](Self::load); [`Error::Index`] listing the settings that differ, each
    /// as `name index-value (expected-value)`.
    pub fn load_expecting(path: &Path, expected: &DedupConfig) -> Result<Deduper> {
        let d = Deduper::load(path)?;
        let differences = d.config().differences(expected);
        if differences.is_empty() {
            Ok(d)
        } else {
            Err(Error::Index {
                path: path.to_path_buf(),
                message: format!(
                    "made with other settings: {} (the index's first, asked for in parentheses)",
                    differences.join(", ")
                ),
            })
        }
    }
}

/// `DIR/.NAME.tmp.PID` beside `path`: in the same directory, so the rename is atomic, and
/// per process, so two runs cannot write one temporary file.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp.{}", std::process::id()))
}

/// Makes the rename durable where the platform allows it (best effort: not all file systems
/// can sync a directory).
fn sync_dir(path: &Path) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Xxh3,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Why a load failed: the file could not be read, or it is not a usable index.
enum Fail {
    Io(std::io::Error),
    Bad(String),
}

impl From<String> for Fail {
    fn from(message: String) -> Fail {
        Fail::Bad(message)
    }
}

impl From<&str> for Fail {
    fn from(message: &str) -> Fail {
        Fail::Bad(message.into())
    }
}

type Loaded<T> = std::result::Result<T, Fail>;

/// Reads the header and hashes the body; returns the body's length when it matches the header.
fn verify(file: &mut File) -> Loaded<u64> {
    let mut header = [0u8; HEADER_LEN as usize];
    let mut got = 0;
    while got < header.len() {
        match file.read(&mut header[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Fail::Io(e)),
        }
    }
    if got == 0 {
        return Err("empty file".into());
    }
    // A file cut inside the signature is still told from another kind of file.
    if header[..got.min(8)] != MAGIC[..got.min(8)] {
        return Err("no SCOURIDX signature".into());
    }
    if got < header.len() {
        return Err(format!("cut short: {got} bytes, the header alone is {HEADER_LEN}").into());
    }
    let word = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().expect("8 bytes"));
    let version = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format!(
            "version {version}; this scour reads version {VERSION} (an index from another \
             version of scour has to be made again)"
        )
        .into());
    }
    let (len, sum) = (word(12), word(20));
    let mut hasher = Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut seen = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Fail::Io(e)),
        };
        // Bytes past the stated length are counted, not hashed.
        let body = (len.saturating_sub(seen)).min(n as u64) as usize;
        hasher.update(&buf[..body]);
        seen += n as u64;
    }
    if seen < len {
        return Err(format!(
            "cut short: {} bytes, the header says {}",
            HEADER_LEN + seen,
            HEADER_LEN + len
        )
        .into());
    }
    if seen > len {
        return Err(format!(
            "{} bytes after the end of the index ({} bytes)",
            seen - len,
            HEADER_LEN + len
        )
        .into());
    }
    if hasher.digest() != sum {
        return Err("checksum mismatch: the file is corrupt".into());
    }
    Ok(len)
}

/// The body being parsed, with the bytes left in it (to bound every count read).
struct Body<R: Read> {
    inner: R,
    left: u64,
}

impl<R: Read> Body<R> {
    fn bytes(&mut self, buf: &mut [u8]) -> Loaded<()> {
        if (buf.len() as u64) > self.left {
            return Err("cut short inside the body".into());
        }
        self.inner.read_exact(buf).map_err(|e| match e.kind() {
            // The file changed after its checksum was verified.
            std::io::ErrorKind::UnexpectedEof => Fail::Bad("cut short inside the body".into()),
            _ => Fail::Io(e),
        })?;
        self.left -= buf.len() as u64;
        Ok(())
    }

    fn u32(&mut self) -> Loaded<u32> {
        let mut b = [0u8; 4];
        self.bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Loaded<u64> {
        let mut b = [0u8; 8];
        self.bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn u128(&mut self) -> Loaded<u128> {
        let mut b = [0u8; 16];
        self.bytes(&mut b)?;
        Ok(u128::from_le_bytes(b))
    }

    /// A count of `item`-byte entries of `what`, no more than the bytes left can hold.
    fn count(&mut self, item: u64, what: &str) -> Loaded<usize> {
        let n = self.u64()?;
        if n > self.left / item {
            return Err(format!(
                "{what}: {n} entries of {item} bytes, but only {} bytes are left",
                self.left
            )
            .into());
        }
        Ok(n as usize)
    }
}

fn read_body(r: &mut Body<impl Read>) -> Loaded<Deduper> {
    let len = r.u64()?;
    if len > MAX_CONFIG_LEN.min(r.left) {
        return Err(format!("configuration of {len} bytes").into());
    }
    let mut config = vec![0u8; len as usize];
    r.bytes(&mut config)?;
    let config: DedupConfig =
        serde_json::from_slice(&config).map_err(|e| format!("configuration: {e}"))?;
    let mut d = config.build().map_err(|e| format!("configuration: {e}"))?;
    let (method, keep, banding) = (
        d.config().get_method(),
        d.config().get_keep(),
        d.config().get_banding(),
    );
    d.docs = r.u64()?;

    let n = r.count(12, "clusters")?;
    // Cluster numbers are u32 and u32::MAX is reserved (see `BandTable::insert`).
    if n >= u32::MAX as usize {
        return Err(format!("{n} clusters, more than cluster numbers can name").into());
    }
    d.clusters.reserve_exact(n);
    let mut members = 0u64;
    for i in 0..n {
        let kept = r.u64()?;
        let size = r.u32()?;
        if kept >= d.docs || size == 0 {
            return Err(format!(
                "cluster {i}: kept document {kept} and size {size}, with {} documents",
                d.docs
            )
            .into());
        }
        members += u64::from(size);
        d.clusters.push(ClusterState { kept, size });
    }
    // Every document pushed is in exactly one cluster.
    if members != d.docs {
        return Err(format!(
            "the clusters hold {members} documents, the index counts {}",
            d.docs
        )
        .into());
    }
    let clusters = n as u64;

    let n = r.count(8, "preferences")?;
    let want = if keep == KeepPolicy::First {
        0
    } else {
        d.clusters.len()
    };
    if n != want {
        return Err(format!("{n} keep preferences for {want} clusters").into());
    }
    d.preference.reserve_exact(n);
    for _ in 0..n {
        d.preference.push(r.u64()?);
    }

    let n = r.count(1, "sketches")?;
    if Some(n) != d.clusters.len().checked_mul(d.sketch_len) {
        return Err(format!(
            "{n} sketch bytes for {} clusters of {} bytes",
            d.clusters.len(),
            d.sketch_len
        )
        .into());
    }
    d.sketches = vec![0; n];
    r.bytes(&mut d.sketches)?;

    let bands = r.count(8, "band tables")?;
    if bands != banding.bands {
        return Err(format!(
            "{bands} band tables, the configuration has {}",
            banding.bands
        )
        .into());
    }
    let mut tables = Vec::with_capacity(bands);
    for band in 0..bands {
        let n = r.count(8, "band slots")?;
        let mut slots = Vec::with_capacity(n);
        for _ in 0..n {
            let e = r.u64()?;
            if e != BandTable::EMPTY && u64::from(e as u32) >= clusters {
                return Err(format!("band {band}: cluster {} of {clusters}", e as u32).into());
            }
            slots.push(e);
        }
        let table = BandTable::from_slots(slots);
        // Lookups probe until an empty slot: a table over 80% full breaks that promise (a full
        // one would never end).
        if table.len() * 5 > n * 4 || (method != Method::MinHash && !table.is_empty()) {
            return Err(format!(
                "band {band}: {} of {n} slots used by {method:?}",
                table.len()
            )
            .into());
        }
        tables.push(table);
    }
    d.bands = BandIndex::from_tables(banding, tables);

    let n = r.count(20, "exact keys")?;
    // Every cluster's first document put its key in; every other document at most one.
    if (n as u64) < clusters || n as u64 > d.docs {
        return Err(format!(
            "{n} exact keys for {clusters} clusters and {} documents",
            d.docs
        )
        .into());
    }
    let mut exact = ExactTable::default();
    exact.reserve(n);
    let mut last: Option<u128> = None;
    for _ in 0..n {
        let k = r.u128()?;
        let cluster = r.u32()?;
        if last.is_some_and(|l| k <= l) || u64::from(cluster) >= clusters {
            return Err(format!(
                "exact key {k:032x}: out of order, or cluster {cluster} of {clusters}"
            )
            .into());
        }
        last = Some(k);
        exact.insert(((k >> 64) as u64, k as u64), cluster);
    }
    d.exact = exact;

    let n = r.count(12, "SimHash entries")?;
    if n as u64 > clusters || (method != Method::SimHash && n > 0) {
        return Err(format!("{n} SimHash entries for {clusters} clusters by {method:?}").into());
    }
    let mut sims = SimhashIndex::new(d.config().max_distance);
    let mut last: Option<u32> = None;
    for _ in 0..n {
        let c = r.u32()?;
        let h = r.u64()?;
        if last.is_some_and(|l| c <= l) || u64::from(c) >= clusters {
            return Err(format!("SimHash entry of cluster {c}: out of order or unknown").into());
        }
        last = Some(c);
        sims.insert(h, c);
    }
    d.simhashes = sims;
    if r.left != 0 {
        return Err(format!("{} unread bytes at the end of the body", r.left).into());
    }
    Ok(d)
}

fn put_u64(w: &mut impl Write, v: u64) -> std::io::Result<()> {
    w.write_all(&v.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::Outcome;

    const POEM: &str = "海内存知己，天涯若比邻。无为在歧路，儿女共沾巾。城阙辅三秦，风烟望五津。与君离别意，同是宦游人。";
    const OTHER: &str = "另一篇完全不同的文章，讲的是春天的花和秋天的月，与送别无关。";

    fn two_docs() -> Deduper {
        let mut d = Deduper::new();
        d.push(POEM);
        d.push(OTHER);
        d
    }

    /// The message of the [`Error::Index`] that loading `bytes` gives (panics on success or on
    /// another error).
    fn load_error(dir: &Path, bytes: &[u8]) -> String {
        let path = dir.join("bad.idx");
        std::fs::write(&path, bytes).unwrap();
        match Deduper::load(&path) {
            Err(Error::Index { path: p, message }) => {
                assert_eq!(p, path);
                message
            }
            Err(e) => panic!("another error: {e}"),
            Ok(_) => panic!("loaded"),
        }
    }

    /// Rewrites the header's length and checksum to fit the body, as a buggy or hostile writer
    /// would: only the structural checks can catch what follows.
    fn reseal(bytes: &mut [u8]) {
        let body = &bytes[HEADER_LEN as usize..];
        let (len, sum) = (body.len() as u64, xxhash_rust::xxh3::xxh3_64(body));
        bytes[12..20].copy_from_slice(&len.to_le_bytes());
        bytes[20..28].copy_from_slice(&sum.to_le_bytes());
    }

    #[test]
    fn round_trip_goes_on_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        let d = two_docs();
        d.save(&path).unwrap();
        let mut e = Deduper::load(&path).unwrap();
        assert_eq!(e.docs(), 2);
        assert_eq!(e.config(), d.config());
        let near = e.push(&format!("{POEM}（王勃）"));
        assert_eq!(near.doc, 2);
        assert!(
            matches!(near.outcome, Outcome::Duplicate { of: 0, .. }),
            "{near:?}"
        );
        assert!(matches!(
            e.push(POEM).outcome,
            Outcome::Duplicate { of: 0, .. }
        ));
        // Saved over itself (the in-place update of `--index-in X --index-out X`): the new
        // index replaces the old, and no temporary file is left.
        e.save(&path).unwrap();
        assert_eq!(Deduper::load(&path).unwrap().docs(), 4);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["index.bin"]);
        // Other policies and methods round-trip too.
        for config in [
            DedupConfig::new().keep(KeepPolicy::Longest),
            DedupConfig::new().method(Method::SimHash),
            DedupConfig::new().method(Method::Exact),
        ] {
            let mut d = config.clone().build().unwrap();
            d.push(POEM);
            d.push(OTHER);
            d.push(&format!("{POEM}。"));
            d.save(&path).unwrap();
            let mut e = Deduper::load(&path).unwrap();
            assert_eq!((e.config(), e.docs(), e.clusters()), (&config, 3, 2));
            assert_eq!(e.push(POEM).outcome, d.push(POEM).outcome);
        }
    }

    #[test]
    fn a_failed_save_names_the_file_and_keeps_the_old_index() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("index.bin");
        let err = two_docs().save(&missing).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if *path == missing),
            "{err}"
        );
        assert!(err
            .to_string()
            .starts_with(&format!("{}: ", missing.display())));
        // A non-empty directory in the way of the rename: the temporary file is removed.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), b"").unwrap();
        assert!(two_docs().save(&blocked).is_err());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["blocked"]);
    }

    #[test]
    fn truncated_files_are_errors_at_every_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        two_docs().save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let len = bytes.len();
        for cut in 0..len {
            let want = if cut == 0 {
                "empty file".to_string()
            } else if cut < 28 {
                format!("cut short: {cut} bytes, the header alone is 28")
            } else {
                format!("cut short: {cut} bytes, the header says {len}")
            };
            assert_eq!(load_error(dir.path(), &bytes[..cut]), want, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.extend_from_slice(b"xyz");
        assert_eq!(
            load_error(dir.path(), &longer),
            format!("3 bytes after the end of the index ({len} bytes)")
        );
    }

    #[test]
    fn every_flipped_byte_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        two_docs().save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let len = bytes.len() as u64;
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            let got = load_error(dir.path(), &bad);
            let want = match at {
                0..8 => "no SCOURIDX signature".to_string(),
                8..12 => format!(
                    "version {}; this scour reads version 2 (an index from another version \
                     of scour has to be made again)",
                    2 ^ (0x10 << (8 * (at - 8)))
                ),
                12..20 => {
                    let stated = (len - 28) ^ (0x10 << (8 * (at - 12)));
                    if stated > len - 28 {
                        format!("cut short: {len} bytes, the header says {}", 28 + stated)
                    } else {
                        format!(
                            "{} bytes after the end of the index ({} bytes)",
                            len - 28 - stated,
                            28 + stated
                        )
                    }
                }
                _ => "checksum mismatch: the file is corrupt".to_string(),
            };
            assert_eq!(got, want, "byte {at}");
        }
        assert_eq!(
            load_error(dir.path(), b"PK\x03\x04 a zip file"),
            "no SCOURIDX signature"
        );
        // The previous version had no checksum: it is refused by its number.
        let mut v1 = bytes.clone();
        v1[8] = 1;
        assert!(load_error(dir.path(), &v1).starts_with("version 1; this scour reads version 2"));
    }

    #[test]
    fn inconsistent_contents_under_a_valid_checksum_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        type Break = fn(&mut Deduper);
        let cases: [(Break, &str); 8] = [
            (
                |d| d.fingerprinter.config.num_perm = 0,
                "configuration: num_perm 0: must be from 1 to 1024",
            ),
            (
                |d| d.docs = 3,
                "the clusters hold 2 documents, the index counts 3",
            ),
            (
                |d| d.clusters[1].kept = 7,
                "cluster 1: kept document 7 and size 1, with 2 documents",
            ),
            (
                |d| {
                    d.sketches.pop();
                },
                "127 sketch bytes for 2 clusters of 64 bytes",
            ),
            (
                |d| d.preference.push(1),
                "1 keep preferences for 0 clusters",
            ),
            (
                |d| {
                    let banding = d.config().get_banding();
                    let mut tables = vec![BandTable::default(); banding.bands];
                    tables[0] = BandTable::from_slots(vec![1; 16]);
                    d.bands = BandIndex::from_tables(banding, tables);
                },
                "band 0: 16 of 16 slots used by MinHash",
            ),
            (
                |d| {
                    let banding = d.config().get_banding();
                    let mut tables = vec![BandTable::default(); banding.bands];
                    tables[2] = BandTable::from_slots(vec![9, u64::MAX, u64::MAX]);
                    d.bands = BandIndex::from_tables(banding, tables);
                },
                "band 2: cluster 9 of 2",
            ),
            (
                |d| d.simhashes.insert(5, 0),
                "1 SimHash entries for 2 clusters by MinHash",
            ),
        ];
        for (spoil, want) in cases {
            let mut d = two_docs();
            spoil(&mut d);
            d.save(&path).unwrap();
            assert_eq!(load_error(dir.path(), &std::fs::read(&path).unwrap()), want);
        }
        // An exact key pointing past the clusters (it would index out of bounds on the next
        // exact duplicate).
        let mut d = two_docs();
        for v in d.exact.values_mut() {
            *v = 5;
        }
        d.save(&path).unwrap();
        let got = load_error(dir.path(), &std::fs::read(&path).unwrap());
        assert!(got.ends_with("out of order, or cluster 5 of 2"), "{got}");

        // A count larger than the file could hold is refused before anything is allocated.
        two_docs().save(&path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let config_len = u64::from_le_bytes(bytes[28..36].try_into().unwrap()) as usize;
        let at = 28 + 8 + config_len + 8;
        bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        reseal(&mut bytes);
        let left = bytes.len() - at - 8;
        assert_eq!(
            load_error(dir.path(), &bytes),
            format!(
                "clusters: 18446744073709551615 entries of 12 bytes, but only {left} bytes are left"
            )
        );
        // Configuration that is not JSON.
        bytes = std::fs::read(&path).unwrap();
        bytes[36] = b'#';
        reseal(&mut bytes);
        assert!(load_error(dir.path(), &bytes).starts_with("configuration: expected value"));
    }

    #[test]
    fn an_index_made_with_other_settings_is_refused_when_settings_are_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        two_docs().save(&path).unwrap();
        assert!(Deduper::load_expecting(&path, &DedupConfig::new()).is_ok());
        let err = Deduper::load_expecting(&path, &DedupConfig::new().num_perm(64).ngram(3))
            .unwrap_err()
            .to_string();
        let b = crate::dedup::Banding::for_threshold(0.8, 64);
        assert_eq!(
            err,
            format!(
                "{}: not a usable scour index: made with other settings: ngram 5 (3), \
                 num_perm 128 (64), banding 9 x 13 ({} x {}) (the index's first, asked for in \
                 parentheses)",
                path.display(),
                b.bands,
                b.rows
            )
        );
    }
}
