#!/usr/bin/env python3
"""Prints, like examples/codec_table_dump.rs, every sequence a Python codec decodes as one unit.

    python3 tools/check_codecs.py johab > target/johab.py.txt
    diff target/johab.py.txt target/johab.rust.txt
"""
import sys

codec = sys.argv[1]
seqs = []
for a in range(0x80, 0x100):
    seqs.append(bytes([a]))
    for b in range(0x21, 0x100):
        seqs.append(bytes([a, b]))
if codec == "euc_jisx0213":
    for b in range(0xA1, 0xFF):
        for c in range(0xA1, 0xFF):
            seqs.append(bytes([0x8F, b, c]))
for seq in seqs:
    try:
        text = seq.decode(codec)
    except UnicodeDecodeError:
        continue
    if text and not text[-1].isascii():
        print("%s\t%s" % (seq.hex(), " ".join("%04X" % ord(c) for c in text)))
