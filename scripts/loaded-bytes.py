#!/usr/bin/env python3
"""Bytes an ELF executable loads (sum of its PT_LOAD segments' file sizes): its size without
the alignment padding between segments, which on mips rounds the file up in 64 KiB steps."""
import struct
import sys


def loaded_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    is64 = data[4] == 2
    endian = "<" if data[5] == 1 else ">"
    if is64:
        phoff, = struct.unpack_from(endian + "Q", data, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 54)
    else:
        phoff, = struct.unpack_from(endian + "I", data, 28)
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 42)
    total = 0
    for i in range(phnum):
        at = phoff + i * phentsize
        p_type, = struct.unpack_from(endian + "I", data, at)
        if p_type != 1:  # PT_LOAD
            continue
        filesz = struct.unpack_from(endian + "Q", data, at + 32)[0] if is64 else \
            struct.unpack_from(endian + "I", data, at + 16)[0]
        total += filesz
    return total


if __name__ == "__main__":
    print(loaded_bytes(sys.argv[1]))
