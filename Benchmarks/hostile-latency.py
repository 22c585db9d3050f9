#!/usr/bin/env python3
"""Latency of a normal request beside hostile connections (issue #6: they must not delay it by more than a few ms).

    hostile-latency.py PORT [IDLE] [HALF_SENT] [REQUESTS]

Sends REQUESTS sequential POSTs on one keep-alive connection and records each round trip; then opens IDLE
connections that send nothing and HALF_SENT connections that stop in the middle of a head, and sends REQUESTS more.
Prints one line: p50 and p99 without and with the hostile connections, and the differences. The hostile ones are
opened after the first series and closed before the server's header timeout (10 s by default) can drop them.
"""
import socket
import sys
import time

port = int(sys.argv[1])
idle_count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
half_count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
requests = int(sys.argv[4]) if len(sys.argv) > 4 else 500

body = b'{"type":"inbound","id":"evt_1"}'
request = (b"POST /normal HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def read_response(sock, buffer):
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the normal connection")
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        rest += sock.recv(65536)
    status = int(head.split(b" ")[1])
    if status != 200:
        raise SystemExit(f"normal request answered {status}")
    return rest[length:]


def series(sock):
    times = []
    buffer = b""
    for _ in range(requests):
        started = time.perf_counter()
        sock.sendall(request)
        buffer = read_response(sock, buffer)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]


normal = socket.create_connection(("127.0.0.1", port))
normal.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
series(normal)  # warm-up
quiet_p50, quiet_p99 = series(normal)

hostile = []
for _ in range(idle_count):
    hostile.append(socket.create_connection(("127.0.0.1", port)))
for _ in range(half_count):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /slowloris HTTP/1.1\r\nContent-Le")
    hostile.append(sock)
time.sleep(0.2)  # let the server accept them all
busy_p50, busy_p99 = series(normal)
for sock in hostile:
    sock.close()
print(f"{quiet_p50:.3f} {quiet_p99:.3f} {busy_p50:.3f} {busy_p99:.3f}")
