#!/usr/bin/env python3
"""The disk's rate of 8 KiB overwrites each followed by fdatasync, on the file system of DIRECTORY.

    fdatasync-rate.py DIRECTORY [SECONDS]

This is what one durable commit of the capture store costs at least: SQLite appends a few pages to the WAL and
syncs it. Writes the same 8 KiB at offset 0 of a preallocated file (so no metadata changes), syncs, and repeats
for SECONDS (default 2). Prints one line: syncs per second and the mean microseconds per sync.
"""
import os
import sys
import time

directory = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
path = os.path.join(directory, "fdatasync-probe")
block = os.urandom(8192)
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
try:
    os.pwrite(fd, block, 0)
    os.fsync(fd)
    count = 0
    start = time.perf_counter()
    while True:
        os.pwrite(fd, block, 0)
        os.fdatasync(fd)
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    print(f"{count / elapsed:.0f} {elapsed / count * 1e6:.0f}")
finally:
    os.close(fd)
    os.unlink(path)
