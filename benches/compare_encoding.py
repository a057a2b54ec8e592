#!/usr/bin/env python3
"""Side by side: scour, chardet, charset-normalizer and ftfy on the same encoding data.

    python3 benches/compare_encoding.py [ENCODINGS_DIR] [SCOUR_DATA_DIR]

Creates a virtual environment under target/compare-encoding-venv (pip-installs chardet,
charset-normalizer and ftfy on the first run), builds scour's evaluation examples in release
mode, and prints Markdown tables:

1. Detection on ../shared/data/encodings/ (manifest.tsv has the truth): whole files, and short
   strings of 4, 8, 16 and 32 characters cut at 20 evenly spaced places of each legacy-encoded
   file. A guess is correct when the bytes decoded with it give the true text (the UTF-8 twin,
   or the bytes decoded with the manifest's codec), so sibling charsets that agree on the text
   both count. scour's results come from `examples/encoding_eval.rs --tsv`; the Python
   detectors are judged with Python's codecs on the same windows.
2. Mojibake repair on the CJK suite (`examples/mojibake_suite.rs --write`): scour against
   ftfy's `fix_encoding`, judged the same way (exact; or exact except for U+FFFD standing for
   one or two characters whose bytes the wrong decoder destroyed), and edits made by each on
   clean held-out Chinese text (a sample of the laws corpus).

Times are wall-clock on this machine, one process at a time. The test suite does not depend on
this script.
"""

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "compare-encoding-venv")
PACKAGES = ["chardet", "charset-normalizer", "ftfy"]
LENGTHS = [4, 8, 16, 32]


def ensure_venv():
    """Re-runs this script inside the venv, creating it first when needed."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *PACKAGES], check=True)
    os.execv(python, [python, *sys.argv])


def run_scour(encodings, data, tmp):
    subprocess.run(
        ["cargo", "build", "--release", "-q", "--example", "encoding_eval",
         "--example", "mojibake_suite"],
        cwd=ROOT, check=True)
    examples = os.path.join(ROOT, "target", "release", "examples")
    tsv = os.path.join(tmp, "scour-detect.tsv")
    t = time.perf_counter()
    subprocess.run([os.path.join(examples, "encoding_eval"), encodings, "--tsv", tsv],
                   check=True, stdout=subprocess.DEVNULL)
    detect_time = time.perf_counter() - t
    suite = os.path.join(tmp, "mojibake-suite.jsonl")
    t = time.perf_counter()
    subprocess.run([os.path.join(examples, "mojibake_suite"), data, encodings, "--write", suite],
                   check=True, stdout=subprocess.DEVNULL)
    suite_time = time.perf_counter() - t
    return tsv, detect_time, suite, suite_time


def manifest(encodings):
    rows = []
    with open(os.path.join(encodings, "manifest.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def truth_text(encodings, row, data):
    if row["utf8_twin"]:
        with open(os.path.join(encodings, row["utf8_twin"]), encoding="utf-8") as f:
            text = f.read()
    else:
        text = data.decode(row["python_codec"])
    return text[1:] if text.startswith("\ufeff") else text


def decodes_to(data, label, truth):
    """True if `data` decoded with the detector's `label` gives `truth`."""
    if label is None:
        return False
    try:
        text = data.decode(label)
    except (LookupError, UnicodeDecodeError):
        return False
    text = text[1:] if text.startswith("\ufeff") else text
    return text == truth


def detectors():
    import chardet
    import charset_normalizer

    def cn(data):
        best = charset_normalizer.from_bytes(data).best()
        return best.encoding if best else None

    return [
        ("chardet", lambda data: chardet.detect(data)["encoding"]),
        ("charset-normalizer", cn),
    ]


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "-"


def compare_detection(encodings, tsv, scour_time):
    rows = manifest(encodings)
    # scour's results, and the short-string items it judged (the same windows are used here).
    scour_files, scour_short = {}, {}
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            kind, path, length, start, ok, _ = line.rstrip("\n").split("\t")
            if kind == "file":
                scour_files[path] = ok == "1"
            else:
                scour_short[(path, int(length), int(start))] = ok == "1"
    results = {"scour": {"files": sum(scour_files.values()), "time": scour_time}}
    for k, length in enumerate(LENGTHS):
        items = [v for (p, n, s), v in scour_short.items() if n == length]
        results["scour"][length] = (sum(items), len(items))
    cjk = [r["path"] for r in rows if r["language"] in ("zh", "ja", "ko")]
    results["scour"]["cjk"] = sum(scour_files[p] for p in cjk)
    for name, detect in detectors():
        t = time.perf_counter()
        files_ok, cjk_ok = 0, 0
        short = {n: [0, 0] for n in LENGTHS}
        for row in rows:
            with open(os.path.join(encodings, row["path"]), "rb") as f:
                data = f.read()
            truth = truth_text(encodings, row, data)
            ok = decodes_to(data, detect(data), truth)
            files_ok += ok
            cjk_ok += ok and row["path"] in cjk
            for (path, length, start), _ in scour_short.items():
                if path != row["path"]:
                    continue
                window = truth[start:start + length]
                try:
                    encoded = window.encode(row["python_codec"])
                except UnicodeEncodeError:
                    continue
                short[length][1] += 1
                short[length][0] += decodes_to(encoded, detect(encoded), window)
        results[name] = {"files": files_ok, "cjk": cjk_ok, "time": time.perf_counter() - t}
        for length in LENGTHS:
            results[name][length] = tuple(short[length])
    print(f"### Detection: {len(rows)} files of {encodings}, {len(cjk)} of them CJK\n")
    print("| tool | files correct | CJK files | 4 chars | 8 chars | 16 chars | 32 chars | time |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        cells = [f"{r['files']} ({pct(r['files'], len(rows))})", f"{r['cjk']} of {len(cjk)}"]
        cells += [pct(*r[n]) for n in LENGTHS]
        print(f"| {name} | " + " | ".join(cells) + f" | {r['time']:.1f} s |")
    print()
    print("Short-string items per length (scour / Python detectors): "
          + ", ".join(f"{n}: {results['scour'][n][1]} / {results['chardet'][n][1]}"
                      for n in LENGTHS))
    print("scour's time includes its whole evaluation run (files, short strings, cleaning).\n")


def matches_with_losses(r, t):
    """`r` equals `t` except that each U+FFFD run in `r` stands for one or two chars of `t`."""
    memo = {}

    def go(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(r):
            out = j == len(t)
        elif r[i] == "\ufffd":
            out = any(j + k <= len(t) and go(i + 1, j + k) for k in (1, 2)) or (
                j < len(t) and t[j] == "\ufffd" and go(i + 1, j + 1))
        else:
            out = j < len(t) and r[i] == t[j] and go(i + 1, j + 1)
        memo[key] = out
        return out

    return go(0, 0)


def judge(repaired, truth):
    if repaired == truth:
        return "exact"
    return "lost" if matches_with_losses(repaired, truth) else "wrong"


def compare_mojibake(suite, suite_time, data):
    import ftfy

    sys.setrecursionlimit(10000)
    cases = [json.loads(line) for line in open(suite, encoding="utf-8")]
    table = {}
    t = time.perf_counter()
    for c in cases:
        key = (c["text"], c["path"])
        row = table.setdefault(key, {"n": 0, "scour": [0, 0], "ftfy": [0, 0]})
        row["n"] += 1
        for tool, repaired in (("scour", c["scour"]), ("ftfy", ftfy.fix_encoding(c["garbled"]))):
            verdict = judge(repaired, c["truth"])
            row[tool][0] += verdict == "exact"
            row[tool][1] += verdict in ("exact", "lost")
    ftfy_time = time.perf_counter() - t
    print(f"### Mojibake repair: {len(cases)} cases of the CJK suite\n")
    print("exact / exact or honestly lost (U+FFFD for destroyed bytes)\n")
    print("| text | path | cases | scour exact | scour exact or lost | ftfy exact | ftfy exact or lost |")
    print("|---|---|---:|---:|---:|---:|---:|")
    totals = {"n": 0, "scour": [0, 0], "ftfy": [0, 0]}
    for (text, path), row in table.items():
        n = row["n"]
        totals["n"] += n
        for tool in ("scour", "ftfy"):
            totals[tool][0] += row[tool][0]
            totals[tool][1] += row[tool][1]
        print(f"| {text} | {path} | {n} | {pct(row['scour'][0], n)} | {pct(row['scour'][1], n)} "
              f"| {pct(row['ftfy'][0], n)} | {pct(row['ftfy'][1], n)} |")
    n = totals["n"]
    print(f"| all | | {n} | {pct(totals['scour'][0], n)} | {pct(totals['scour'][1], n)} "
          f"| {pct(totals['ftfy'][0], n)} | {pct(totals['ftfy'][1], n)} |")
    print(f"\nscour: {suite_time:.1f} s for the suite run (generation, repair, clean-text check); "
          f"ftfy.fix_encoding: {ftfy_time:.1f} s for the repairs alone.\n")
    # Clean text: every 10th held-out (odd-numbered) laws record through ftfy.
    laws = next((p for p in (os.path.join(data, "corpus", "laws-zh.jsonl"),
                             os.path.join(data, "laws-zh.jsonl")) if os.path.exists(p)), None)
    if laws is None:
        return
    chars = changed = 0
    with open(laws, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 20 != 1:
                continue
            text = json.loads(line)["text"]
            chars += len(text)
            fixed = ftfy.fix_encoding(text)
            if fixed != text:
                changed += sum(1 for a, b in zip(fixed, text) if a != b) or 1
    print(f"Clean text (every 20th laws record, {chars} characters): ftfy.fix_encoding changed "
          f"{changed} characters ({100000.0 * changed / max(chars, 1):.3f} per 100,000). "
          "scour's figure is printed by examples/mojibake_suite.rs.\n")


def main():
    ensure_venv()
    encodings = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "..", "shared", "data", "encodings")
    data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "target", "scour-data")
    tmp = os.path.join(ROOT, "target", "compare-encoding")
    os.makedirs(tmp, exist_ok=True)
    tsv, detect_time, suite, suite_time = run_scour(encodings, data, tmp)
    compare_detection(encodings, tsv, detect_time)
    compare_mojibake(suite, suite_time, data)


if __name__ == "__main__":
    main()
