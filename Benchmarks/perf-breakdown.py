#!/usr/bin/env python3
"""Where the capture server's CPU time goes, from `perf script` output of `perf record -g` on `hookstash serve`.

    perf record -g -p PID -o perf.data -- sleep 10      # while wrk loads the capture listener
    perf script -i perf.data | Benchmarks/perf-breakdown.py

Each sample is charged to one part of the capture path by its call stack, read from the sampled function outwards:
a sample with `fdatasync` anywhere in its stack is the sync; otherwise the first frame that belongs to a part below
decides (so malloc or memcpy called by the parser is the parser's, and a kernel `pwrite` called by SQLite is the
writer's). Samples in no part (NIO's event loop, epoll, the kernel's TCP work under NIO's reads and writes, the
Swift runtime outside ours) are "NIO, syscalls". Prints one line per part: share of the samples and count.
"""
import re
import sys

# (part, patterns matched against a frame's symbol and library); the first matching frame from the leaf decides.
PARTS = [
    ("signature check", ["HookstashSignatures", "CaptureSignatureCheck", "HMAC_", "hmac_"]),
    ("JSON encoding", ["jsonText", "JSONText", "13EncodedCapture", "EncodedCapture"]),
    ("writer, SQLite (WAL writes, checkpoint)",
     ["libsqlite3", "sqlite3", "GRDB", "CaptureWriter", "RowBinder", "CaptureStore", "WALCheckpointer",
      "CaptureBell"]),
    ("framing, parser", ["HTTPRequestParser", "CaptureRequestDecoder", "RawHead"]),
    ("handler (capture, SHA-256, body, answer)",
     ["CaptureHandler", "BodySink", "DigestHasher", "CaptureConnectionStateMachine", "CaptureResponse",
      "HeaderList", "RequestTarget", "7Capture", "HookstashCore"]),
    ("NIO, syscalls", ["NIOPosix", "NIOCore", "NIOConcurrencyHelpers", "libdispatch"]),
]
SYNC = re.compile(r"fdatasync|__x64_sys_fsync|do_fsync")

def classify(frames):
    if any(SYNC.search(frame) for frame in frames):
        return "fdatasync"
    for frame in frames:
        for part, patterns in PARTS:
            if any(pattern in frame for pattern in patterns):
                return part
    return "NIO, syscalls"

counts = {}
total = 0
frames = []
def flush():
    global total
    if frames:
        part = classify(frames)
        counts[part] = counts.get(part, 0) + 1
        total += 1
    frames.clear()

for line in sys.stdin:
    if not line.strip():
        flush()
    elif line.startswith((" ", "\t")):
        frames.append(line.strip())
    else:
        flush()
flush()

order = ["framing, parser", "handler (capture, SHA-256, body, answer)", "signature check", "JSON encoding",
         "writer, SQLite (WAL writes, checkpoint)", "fdatasync", "NIO, syscalls"]
for part in order:
    print(f"{part:<44} {100 * counts.get(part, 0) / max(total, 1):5.1f} %  {counts.get(part, 0):>7}")
print(f"{'samples':<44} {total:>15}")
