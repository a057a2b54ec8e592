#!/usr/bin/env python3
"""Generates scour's CNS 11643 table for EUC-TW, which neither encoding_rs nor Python has.

Source: the EUC-TW converter of the GNU C library's iconv, called through ctypes (Linux with
glibc). Run from the crate root:

    python3 tools/gen_euctw_table.py

Writes:
  src/codecs/cns11643.bin   CNS 11643 planes 1 to 7 and 15, 8 x 94 x 94 cells, each a code
                            point in 3 bytes, little-endian; 0 = unmapped. Cell index:
                            slot * 8836 + (row - 1) * 94 + (column - 1), where the slot is
                            plane - 1 for planes 1 to 7 and 7 for plane 15.
"""
import ctypes
import ctypes.util

# Planes 1 to 7 (CNS 11643-1992) and 15 (the 1997 addition, which holds among others the
# simplified forms glibc maps there).
PLANES = [1, 2, 3, 4, 5, 6, 7, 15]

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.iconv_open.restype = ctypes.c_void_p
libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.iconv.restype = ctypes.c_size_t
libc.iconv.argtypes = [
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_char_p),
    ctypes.POINTER(ctypes.c_size_t),
    ctypes.POINTER(ctypes.c_char_p),
    ctypes.POINTER(ctypes.c_size_t),
]
FAILED = ctypes.c_size_t(-1).value


def decode(handle, seq):
    """The code points glibc decodes `seq` to, or None when it rejects the sequence."""
    libc.iconv(handle, None, None, None, None)
    inbuf = ctypes.create_string_buffer(seq, len(seq))
    inp = ctypes.c_char_p(ctypes.addressof(inbuf))
    inleft = ctypes.c_size_t(len(seq))
    outbuf = ctypes.create_string_buffer(64)
    outp = ctypes.c_char_p(ctypes.addressof(outbuf))
    outleft = ctypes.c_size_t(64)
    r = libc.iconv(handle, ctypes.byref(inp), ctypes.byref(inleft), ctypes.byref(outp), ctypes.byref(outleft))
    if r == FAILED or inleft.value != 0:
        return None
    n = 64 - outleft.value
    return [int.from_bytes(outbuf.raw[i:i + 4], "little") for i in range(0, n, 4)]


def main():
    handle = libc.iconv_open(b"UTF-32LE", b"EUC-TW")
    if handle == FAILED:
        raise SystemExit("this iconv has no EUC-TW")
    out = bytearray()
    for plane in PLANES:
        for row in range(0xA1, 0xFF):
            for col in range(0xA1, 0xFF):
                # Plane 1 also has a four-byte form (8E A1 row col); both decode alike.
                cps = decode(handle, bytes([0x8E, 0xA0 + plane, row, col]))
                cp = cps[0] if cps is not None and len(cps) == 1 else 0
                out += cp.to_bytes(3, "little")
    with open("src/codecs/cns11643.bin", "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
