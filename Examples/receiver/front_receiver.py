#!/usr/bin/env python3
"""A minimal Front webhook receiver, the kind of app hookstash forwards and replays to.

It verifies X-Front-Signature (base64 HMAC-SHA1 of the raw body with the API secret) the way Front documents it,
answers Front's X-Front-Challenge handshake, and prints one line per request. Standard library only.

    FRONT_SECRET=front_example_secret python3 Examples/receiver/front_receiver.py 3000

Port 0 picks a free port; the first line printed says which. Examples/README.md runs it with hookstash forwarding
and replaying to it.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("FRONT_SECRET", "").encode()


class FrontReceiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        challenge = self.headers.get("X-Front-Challenge")
        if challenge is not None:
            return self.answer(200, json.dumps({"challenge": challenge}))
        expected = base64.b64encode(hmac.new(SECRET, body, hashlib.sha1).digest()).decode()
        received = self.headers.get("X-Front-Signature", "")
        if not SECRET or not hmac.compare_digest(expected, received):
            print(f"rejected {self.path}: signature does not match", flush=True)
            return self.answer(401, '{"error":"bad signature"}')
        event = json.loads(body or b"{}")
        print(f"accepted {self.path}: {event.get('type', '?')} {event.get('id', '')}", flush=True)
        self.answer(200, '{"ok":true}')

    def answer(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    server = ThreadingHTTPServer(("127.0.0.1", port), FrontReceiver)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()
