//! Saving and loading a [`Deduper`]'s index.
//!
//! The layout, all integers little-endian:
//!
//! ```text
//! "SCOURIDX" u32 version(=1)
//! u64 len, config as JSON
//! u64 docs
//! u64 n, n × (u64 kept, u32 size)                clusters
//! u64 n, n × u64                                  keep-policy preferences
//! u64 n, n bytes                                  sketches
//! u64 bands, per band: u64 n, n × u64 slots       LSH tables
//! u64 n, n × (u128 key hash, u32 cluster)         exact table, sorted by key hash
//! u64 n, n × (u32 cluster, u64 simhash)           SimHash entries, sorted by cluster
//! ```

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::lsh::{BandIndex, BandTable};
use super::{ClusterState, DedupConfig, Deduper, ExactTable, SimhashIndex};
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"SCOURIDX";
const VERSION: u32 = 1;

impl Deduper {
    /// Writes the index to `path` (see the layout in the source of this module). The file
    /// holds everything needed to go on: configuration, clusters, sketches, band tables and
    /// exact keys.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut w = BufWriter::new(file);
        self.write_to(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Error::io(path, e))
    }

    fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(MAGIC)?;
        w.write_all(&VERSION.to_le_bytes())?;
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

    /// Reads an index written by [`save`](Self::save). Documents pushed afterwards are numbered
    /// on from the saved count.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, [`Error::Index`] if it is not an index of this
    /// version or is cut short.
    pub fn load(path: &Path) -> Result<Deduper> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut r = BufReader::new(file);
        read_from(&mut r).map_err(|message| Error::Index {
            path: path.to_path_buf(),
            message,
        })
    }
}

fn read_from(r: &mut impl Read) -> std::result::Result<Deduper, String> {
    let mut magic = [0u8; 8];
    read_exact(r, &mut magic)?;
    if &magic != MAGIC {
        return Err("no SCOURIDX signature".into());
    }
    let version = get_u32(r)?;
    if version != VERSION {
        return Err(format!("version {version}, expected {VERSION}"));
    }
    let len = get_len(r, 1 << 20)?;
    let mut config = vec![0u8; len];
    read_exact(r, &mut config)?;
    let config: DedupConfig =
        serde_json::from_slice(&config).map_err(|e| format!("configuration: {e}"))?;
    let mut d = Deduper::with_config(config);
    d.docs = get_u64(r)?;
    let n = get_len(r, usize::MAX)?;
    for _ in 0..n {
        let kept = get_u64(r)?;
        let size = get_u32(r)?;
        d.clusters.push(ClusterState { kept, size });
    }
    let n = get_len(r, usize::MAX)?;
    for _ in 0..n {
        d.preference.push(get_u64(r)?);
    }
    let n = get_len(r, usize::MAX)?;
    if n != d.clusters.len() * d.sketch_len {
        return Err(format!(
            "{n} sketch bytes for {} clusters of {} bytes",
            d.clusters.len(),
            d.sketch_len
        ));
    }
    d.sketches = read_vec(r, n)?;
    let bands = get_len(r, 1 << 16)?;
    if bands != d.config().get_banding().bands {
        return Err(format!(
            "{bands} band tables, the configuration has {}",
            d.config().get_banding().bands
        ));
    }
    let mut tables = Vec::with_capacity(bands);
    for _ in 0..bands {
        let n = get_len(r, usize::MAX)?;
        let mut slots = Vec::with_capacity(n.min(1 << 24));
        for _ in 0..n {
            slots.push(get_u64(r)?);
        }
        tables.push(BandTable::from_slots(slots));
    }
    d.bands = BandIndex::from_tables(d.config().get_banding(), tables);
    let n = get_len(r, usize::MAX)?;
    let mut exact = ExactTable::default();
    exact.reserve(n.min(1 << 24));
    for _ in 0..n {
        let mut k = [0u8; 16];
        read_exact(r, &mut k)?;
        let k = u128::from_le_bytes(k);
        exact.insert(((k >> 64) as u64, k as u64), get_u32(r)?);
    }
    d.exact = exact;
    let n = get_len(r, usize::MAX)?;
    let mut sims = SimhashIndex::new(d.config().max_distance);
    for _ in 0..n {
        let c = get_u32(r)?;
        sims.insert(get_u64(r)?, c);
    }
    d.simhashes = sims;
    let mut rest = [0u8; 1];
    if r.read(&mut rest).map_err(|e| e.to_string())? != 0 {
        return Err("trailing bytes after the index".into());
    }
    Ok(d)
}

fn put_u64(w: &mut impl Write, v: u64) -> std::io::Result<()> {
    w.write_all(&v.to_le_bytes())
}

fn read_exact(r: &mut impl Read, buf: &mut [u8]) -> std::result::Result<(), String> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "cut short".to_string(),
        _ => e.to_string(),
    })
}

fn read_vec(r: &mut impl Read, n: usize) -> std::result::Result<Vec<u8>, String> {
    let mut v = Vec::new();
    r.take(n as u64)
        .read_to_end(&mut v)
        .map_err(|e| e.to_string())?;
    if v.len() != n {
        return Err("cut short".into());
    }
    Ok(v)
}

fn get_u64(r: &mut impl Read) -> std::result::Result<u64, String> {
    let mut b = [0u8; 8];
    read_exact(r, &mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn get_u32(r: &mut impl Read) -> std::result::Result<u32, String> {
    let mut b = [0u8; 4];
    read_exact(r, &mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn get_len(r: &mut impl Read, max: usize) -> std::result::Result<usize, String> {
    let n = get_u64(r)?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| format!("implausible count {n}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::Outcome;

    #[test]
    fn round_trip_goes_on_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        let text = "海内存知己，天涯若比邻。无为在歧路，儿女共沾巾。城阙辅三秦，风烟望五津。与君离别意，同是宦游人。";
        let mut d = Deduper::new();
        d.push(text);
        d.push("另一篇完全不同的文章，讲的是春天的花和秋天的月，与送别无关。");
        d.save(&path).unwrap();
        let mut e = Deduper::load(&path).unwrap();
        assert_eq!(e.docs(), 2);
        let near = e.push(&format!("{text}（王勃）"));
        assert_eq!(near.doc, 2);
        assert!(
            matches!(near.outcome, Outcome::Duplicate { of: 0, .. }),
            "{near:?}"
        );
        assert!(matches!(
            e.push(text).outcome,
            Outcome::Duplicate { of: 0, .. }
        ));

        std::fs::write(&path, b"SCOURIDX\x01\x00\x00\x00\x05").unwrap();
        let err = Deduper::load(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("not a usable scour index: cut short"),
            "{err}"
        );
        std::fs::write(&path, b"PK\x03\x04").unwrap();
        assert!(Deduper::load(&path).is_err());
    }
}
