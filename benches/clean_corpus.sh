#!/usr/bin/env bash
# Whole-run benchmark of `scour clean`: the Chinese laws corpus as one file per document,
# cleaned with 1 and 2 threads by a release build. Prints scour's own summary (MB/s, files/s,
# peak memory). Not part of the test suite.
#
#   bash benches/clean_corpus.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=target/scour-data/corpus/laws-zh.jsonl
files=target/bench-clean/laws
if [ ! -f "$data" ]; then
  mkdir -p "$(dirname "$data")"
  xz -dkc ../shared/data/corpus/laws-zh.jsonl.xz > "$data"
fi
if [ ! -d "$files" ]; then
  python3 - "$data" "$files" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
for n, line in enumerate(open(src, encoding="utf-8")):
    doc = json.loads(line)
    path = os.path.join(dst, f"{n:05d}.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc["text"])
PY
fi
cargo build --release --quiet
for threads in 1 2; do
  rm -rf target/bench-clean/out
  echo "threads: $threads"
  ./target/release/scour clean -j "$threads" --no-learn --out-dir target/bench-clean/out "$files"
done
