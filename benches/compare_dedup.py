#!/usr/bin/env python3
"""Side by side: scour, datasketch and rensa deduplicating the same JSONL documents.

    python3 benches/compare_dedup.py [FILE.jsonl ...]

Creates a virtual environment under target/compare-venv (pip-installs datasketch and rensa on
the first run), builds scour in release mode, and runs each tool on the same documents with
the same settings: 128 permutations, Jaccard threshold 0.8, and the same shingles, namely
5-grams of tokens of the matching key (NFKC, lowercased, punctuation and whitespace dropped;
one token per CJK/kana/Thai character, one per word elsewhere). For the Python libraries the
shingles are computed in Python (part of their time, as it is for their users); scour computes
its own.

All three follow the same procedure: documents in order; a document that matches (LSH candidate
with estimated Jaccard >= threshold) an earlier kept document is a duplicate, otherwise it is
kept and inserted. Each tool runs in its own process so its time and peak memory (ru_maxrss)
are its own. Prints a Markdown table: time, MB/s, CPU time, peak memory, duplicates found, and agreement
of each tool's set of duplicate documents with scour's (Jaccard of the two sets).

Default input: target/scour-data/corpus/laws-zh.jsonl (from ../shared/data/unpack.sh
target/scour-data). The test suite does not depend on this script.
"""

import json
import os
import re
import subprocess
import sys
import time
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "compare-venv")
THRESHOLD = 0.8
NUM_PERM = 128
NGRAM = 5
LOAD = "unknown"

# One token per character of the scripts written without spaces; a word elsewhere.
UNSPACED = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
    "\u0e00-\u0e7f\u0e80-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
    "\U00020000-\U0002fa1f\U00030000-\U000323af"
)
TOKEN = re.compile(f"[{UNSPACED}]|[^\\W_{UNSPACED}]+")


def shingles(text):
    """The shingles, and the key (for documents shorter than one shingle: exact match only)."""
    key = unicodedata.normalize("NFKC", text).lower()
    tokens = TOKEN.findall(key)
    sh = [" ".join(tokens[i : i + NGRAM]) for i in range(len(tokens) - NGRAM + 1)]
    return sh, " ".join(tokens)


def short_doc(exact, key, i):
    """A document shorter than one shingle: a duplicate of the first with the same key."""
    if key in exact:
        return exact[key]
    exact[key] = i
    return None


def load(paths):
    texts = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    texts.append(json.loads(line)["text"])
    return texts


def run_datasketch(texts):
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    kept = {}
    exact = {}
    dups = []
    for i, t in enumerate(texts):
        sh, key = shingles(t)
        if not sh:
            dups.append(short_doc(exact, key or t, i))
            continue
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in sh])
        best = None
        for k in lsh.query(m):
            j = m.jaccard(kept[k])
            if j >= THRESHOLD and (best is None or j > best[1]):
                best = (k, j)
        if best:
            dups.append(best[0])
        else:
            lsh.insert(i, m)
            kept[i] = m
            dups.append(None)
    return dups


def run_rensa(texts):
    from rensa import RMinHash, RMinHashLSH

    # rensa's LSH needs the band count to divide the permutations: 16 bands x 8 rows (scour
    # is also run with that banding, for a like-for-like row).
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=16)
    kept = {}
    exact = {}
    dups = []
    for i, t in enumerate(texts):
        sh, key = shingles(t)
        if not sh:
            dups.append(short_doc(exact, key or t, i))
            continue
        m = RMinHash(num_perm=NUM_PERM, seed=1)
        m.update(sh)
        best = None
        for k in lsh.query(m):
            j = m.jaccard(kept[k])
            if j >= THRESHOLD and (best is None or j > best[1]):
                best = (k, j)
        if best:
            dups.append(best[0])
        else:
            lsh.insert(i, m)
            kept[i] = m
            dups.append(None)
    return dups


def child(tool, paths, out):
    texts = load(paths)
    start = time.perf_counter()
    cpu_start = time.process_time()
    dups = {"datasketch": run_datasketch, "rensa": run_rensa}[tool](texts)
    secs = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    with open(out, "w") as f:
        json.dump({"secs": secs, "cpu": cpu, "dups": [i for i, d in enumerate(dups) if d is not None]}, f)


def measure(cmd):
    """Runs cmd; returns (wall seconds, CPU seconds, peak RSS bytes) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{cmd[0]} failed with status {status}")
    return secs, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[4:], sys.argv[3])
    paths = sys.argv[1:] or [os.path.join(ROOT, "target/scour-data/corpus/laws-zh.jsonl")]
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    subprocess.check_call([py, "-m", "pip", "install", "-q", "datasketch", "rensa"])
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--bin", "scour"], cwd=ROOT)
    scour = os.path.join(ROOT, "target", "release", "scour")
    mb = sum(len(t.encode("utf-8")) for t in load(paths)) / 1e6
    tmp = os.path.join(ROOT, "target", "compare-out")
    os.makedirs(tmp, exist_ok=True)

    global LOAD
    with open("/proc/loadavg") as f:
        LOAD = " ".join(f.read().split()[:3])
    rows = []
    sets = {}
    for threads, banding in (("1", []), ("2", []), ("1", ["--bands", "16", "--rows", "8"])):
        dec = os.path.join(tmp, f"scour-{threads}.jsonl")
        secs, cpu, rss = measure(
            [scour, "dedup", *paths, "-o", os.devnull, "--decisions", dec, "-j", threads, "-q", *banding]
        )
        with open(dec) as f:
            dups = {
                i
                for i, line in enumerate(f)
                if json.loads(line)["decision"] == "duplicate"
            }
        name = f"scour ({threads} thread{'s' if threads != '1' else ''}, {'16 x 8' if banding else '9 x 13'}, whole run)"
        rows.append((name, secs, cpu, rss, dups))
        sets.setdefault("scour", dups)
    for tool in ("rensa", "datasketch"):
        out = os.path.join(tmp, f"{tool}.json")
        _, _, rss = measure([py, os.path.abspath(__file__), "--child", tool, out, *paths])
        with open(out) as f:
            r = json.load(f)
        banding = "16 x 8" if tool == "rensa" else "9 x 13"
        rows.append((f"{tool} ({banding}, shingling in Python)", r["secs"], r["cpu"], rss, set(r["dups"])))

    base = sets["scour"]
    print(f"{len(load(paths))} documents, {mb:.1f} MB; 128 permutations, threshold {THRESHOLD}, token 5-grams")
    print()
    print("Agreement: Jaccard of the tool's set of duplicate documents with scour's (1 thread, 9 x 13).")
    print("scour's time is the whole process (reading JSONL included); the Python tools' time is")
    print("their deduplication loop (shingling, MinHash, LSH), JSON loading excluded. CPU time is")
    print("user + system time (all threads), which a busy machine inflates less than wall time.")
    print(f"Load average at the start: {LOAD}.")
    print()
    print("| tool | time | MB/s | CPU time | peak memory | duplicates | agreement with scour |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, secs, cpu, rss, dups in rows:
        union = base | dups
        agree = len(base & dups) / len(union) if union else 1.0
        print(
            f"| {name} | {secs:.2f} s | {mb / secs:.1f} | {cpu:.2f} s | {rss / 1e6:.0f} MB | {len(dups)} | {agree:.3f} |"
        )


if __name__ == "__main__":
    main()
