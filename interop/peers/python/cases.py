"""Payloads of the interop cases, as cases_test.go and cases.mjs make them."""

import array
import hashlib
import sys


def payload(p):
    """The bytes a payload spec describes: text repeated, bytes in hex, or
    size bytes of the xorshift32 stream started at seed, little-endian
    words. Fields left out of the JSON are zero."""
    if p["kind"] == "text":
        return (p.get("text", "") * p.get("repeat", 0)).encode("utf-8")
    if p["kind"] == "hex":
        return bytes.fromhex(p.get("text", ""))
    size = p.get("size", 0)
    words = array.array("I", bytes(4 * ((size + 3) // 4)))
    assert words.itemsize == 4
    x = p.get("seed", 0) & 0xFFFFFFFF
    for i in range(len(words)):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        words[i] = x
    if sys.byteorder != "little":
        words.byteswap()
    return words.tobytes()[:size]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def split(data, frags):
    """data cut into pieces of the given lengths, which must cover it."""
    pieces, off = [], 0
    for n in frags:
        pieces.append(data[off:off + n])
        off += n
    if off != len(data):
        raise ValueError("fragments cover %d of %d bytes" % (off, len(data)))
    return pieces
