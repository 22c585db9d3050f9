#!/usr/bin/env python3
"""Headless Chromium tests of the inspector pages, driven over the DevTools protocol (stdlib only).

Starts the test-only inspector fixture (a store seeded with hostile captures), then checks in a real browser:
  1. the list page shows a new capture without a reload (Server-Sent Events);
  2. the detail page of a capture whose body is <script>document.title='pwned'</script> and whose headers hold
     "><img src=x onerror=...> runs none of it: the title is unchanged and the text is visible;
  3. captures whose target, headers and body carry grapheme payloads (`\u0600<`, `"\u0301`, `'\u0301`) and one whose
     body is declared text/javascript: on the list page, the detail pages and every download (body, raw, HAR, curl),
     nothing runs and no injected element exists, even with the page's CSP bypassed: a download is never a script;
and saves screenshots of the pages.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class WebSocket:
    """The client side of RFC 6455, enough for DevTools: masked text frames out, unmasked frames in."""

    def __init__(self, url):
        assert url.startswith("ws://")
        host_port, path = url[5:].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("DevTools closed the websocket handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"websocket handshake refused: {head!r}")

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", len(payload))
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        header += mask
        self.sock.sendall(bytes(header) + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _exact(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise RuntimeError("DevTools closed the websocket")
            data += chunk
        return data

    def receive(self):
        message = b""
        while True:
            first, second = self._exact(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the websocket")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if first & 0x80:
                return message.decode()


class Page:
    def __init__(self, websocket_url):
        self.ws = WebSocket(websocket_url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        call_id = self.next_id
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def navigate(self, url):
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && location.href === " + json.dumps(url), 10)

    def wait_for(self, expression, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.evaluate(expression):
                    return True
            except RuntimeError:
                pass
            time.sleep(0.05)
        return False

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("Chromium not found: install Debian's `chromium` package (apt-get install -y chromium)")


failures = []


def check(condition, description):
    print(("ok   " if condition else "FAIL ") + description)
    if not condition:
        failures.append(description)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--artifacts", required=True)
    options = parser.parse_args()
    os.makedirs(options.artifacts, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="hookstash-browser-")
    fixture = subprocess.Popen(
        [options.fixture, os.path.join(workdir, "store.sqlite")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    browser = None
    try:
        line = fixture.stdout.readline().strip()
        if not line.startswith("PORT "):
            sys.exit(f"the inspector fixture did not start: {line!r}")
        base = f"http://127.0.0.1:{int(line.split()[1])}"

        profile = os.path.join(workdir, "profile")
        browser = subprocess.Popen(
            [find_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline:
                sys.exit("Chromium did not open its DevTools port")
            time.sleep(0.1)
        devtools_port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list"))
        page_target = next(t for t in targets if t.get("type") == "page")
        page = Page(page_target["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

        # 1. The list page updates live.
        page.navigate(base + "/")
        title = page.evaluate("document.title")
        check(page.wait_for("document.body.getAttribute('data-live') === 'connected'", 10),
              "list page opens the event stream")
        page.evaluate("window.__notReloaded = true")
        rows_before = page.evaluate("document.querySelectorAll('#captures tr').length")
        fixture.stdin.write("insert\n")
        fixture.stdin.flush()
        inserted = fixture.stdout.readline().strip()
        new_id = int(inserted.split()[1])
        appeared = page.wait_for(f"!!document.querySelector('#captures tr[data-id=\"{new_id}\"]')", 5)
        check(appeared, f"capture {new_id} appears on the list without a reload")
        check(page.evaluate("window.__notReloaded === true"), "the page was not reloaded")
        check(page.evaluate("document.querySelectorAll('#captures tr').length") == rows_before + 1,
              "exactly one row was added")
        check(page.evaluate("document.querySelector('#captures tr').getAttribute('data-id')") == str(new_id),
              "the new capture is at the top (newest first)")
        check(page.evaluate("document.title") == title and "pwned" not in title, "list page title unchanged")
        check(page.evaluate("document.querySelectorAll('main img, main script').length") == 0,
              "list page has no injected elements")
        page.screenshot(os.path.join(options.artifacts, "inspector-list.png"))

        # 2. The hostile capture shows as text and runs nothing.
        page.navigate(base + "/captures/2")
        time.sleep(1.0)  # give an injected handler (onerror, script) time to run if it could
        title = page.evaluate("document.title")
        check("pwned" not in title, f"detail page title unchanged ({title!r})")
        check(page.evaluate("document.querySelector('#body-text').textContent")
              == "<script>document.title='pwned'</script>", "the body is visible as text")
        headers_text = page.evaluate("document.querySelector('#headers').textContent")
        check("\"><img src=x onerror=\"document.title='pwned-img'\">" in headers_text,
              "the hostile header is visible as text")
        check(page.evaluate("document.querySelectorAll('main img, main script, main [onerror]').length") == 0,
              "no element was injected into the detail page")
        check(page.evaluate("document.querySelector('#raw-text').textContent.indexOf('<script>') >= 0"),
              "the raw message shows the body as text")
        page.screenshot(os.path.join(options.artifacts, "inspector-detail.png"))

        # 3. The JSON body capture renders pretty JSON.
        page.navigate(base + "/captures/1")
        check(page.evaluate("document.querySelector('#body-text').textContent").startswith('{\n  "type": "inbound"'),
              "a JSON body is shown pretty-printed in the sender's key order")
        page.screenshot(os.path.join(options.artifacts, "inspector-detail-json.png"))

        # 4. Grapheme payloads and a JavaScript body: nothing runs, nothing is injected, anywhere.
        injected = "document.querySelectorAll('[id^=injected], main img, main script').length"
        for path in ["/", "/captures/3", "/captures/4"]:
            page.navigate(base + path)
            time.sleep(0.5)
            # An injected handler would set the whole title to 'pwned-…'; the page's own title may quote the
            # target as text.
            title = page.evaluate("document.title")
            check(not title.startswith("pwned"), f"{path}: title unchanged ({title!r})")
            check(page.evaluate(injected) == 0, f"{path}: no injected element")
            check(page.evaluate("window.__pwned === undefined"), f"{path}: no captured script ran")
        page.navigate(base + "/captures/4")
        body_text = page.evaluate("document.querySelector('#body-text').textContent")
        check(body_text.startswith("\u0600<img id=injected-body"), "the grapheme body is visible as text")
        headers_text = page.evaluate("document.querySelector('#headers').textContent")
        check("\"\u0301><img id=injected-header" in headers_text, "the grapheme header is visible as text")
        page.screenshot(os.path.join(options.artifacts, "inspector-detail-grapheme.png"))

        # 5. Compare: the detail page's form opens the diff of two captures; hostile values stay text.
        page.navigate(base + "/captures/1")
        page.evaluate("document.querySelector('.compare-form input[name=with]').value = '2'; "
                      "document.querySelector('.compare-form').submit(); 0")
        check(page.wait_for("location.pathname === '/captures/1/compare'", 5), "the compare form opens the diff page")
        time.sleep(0.5)
        check(page.evaluate("location.search") == "?with=2", "the diff page compares with capture 2")
        check(page.evaluate("document.querySelector('#compare-title').textContent") == "Capture #1 → #2",
              "the diff page names both captures")
        kinds = page.evaluate("Array.from(document.querySelectorAll('#header-changes tr[data-kind]'))"
                              ".map(function (row) { return row.getAttribute('data-kind') + ' ' + "
                              "row.querySelector('th').textContent; }).join('|')")
        check("added X-Evil" in kinds and "removed X-Front-Signature" in kinds and "changed Content-Type" in kinds,
              f"header changes are listed ({kinds!r})")
        check(page.evaluate("document.querySelector('#body-kind').textContent") == "text, by line",
              "a JSON body against an HTML body is compared by line")
        added = page.evaluate("Array.from(document.querySelectorAll('#body-changes .line-added'))"
                              ".map(function (line) { return line.textContent; }).join('\\n')")
        check("+<script>document.title='pwned'</script>" in added, "the hostile body is an added line, as text")
        check(page.evaluate(injected) == 0 and page.evaluate("window.__pwned === undefined")
              and not page.evaluate("document.title").startswith("pwned"), "the diff page runs nothing captured")
        page.screenshot(os.path.join(options.artifacts, "inspector-compare.png"))
        page.navigate(base + "/captures/3/compare?with=4")
        time.sleep(0.5)
        check(page.evaluate(injected) == 0 and not page.evaluate("document.title").startswith("pwned"),
              "grapheme payloads stay text on the diff page")

        downloads = [f"/api/captures/{capture}/{kind}" for capture in (3, 4) for kind in ("body", "raw", "har", "curl")]
        # Loaded as scripts by a page whose CSP is bypassed (as if an injection had got through): the type
        # (application/octet-stream, text/plain) with nosniff stops every one of them.
        page.call("Page.setBypassCSP", enabled=True)
        page.navigate(base + "/captures/1")
        for path in downloads:
            page.evaluate("window.__loaded = null; var s = document.createElement('script'); "
                          f"s.src = {json.dumps(path)}; s.onload = function () {{ window.__loaded = 'ran'; }}; "
                          "s.onerror = function () { window.__loaded = 'refused'; }; document.head.appendChild(s); 0")
            check(page.wait_for("window.__loaded !== null", 5) and page.evaluate("window.__loaded") == "refused",
                  f"{path} is refused as a script")
            check(page.evaluate("window.__pwned === undefined")
                  and not page.evaluate("document.title").startswith("pwned"), f"{path} ran nothing as a script")
        page.call("Page.setBypassCSP", enabled=False)
        # Opened directly: each is a download (attachment), never a page.
        page.call("Browser.setDownloadBehavior", behavior="deny")
        for path in downloads:
            page.navigate(base + "/captures/1")
            page.call("Page.navigate", url=base + path)
            time.sleep(0.5)
            check(page.evaluate("location.pathname") == "/captures/1", f"{path} opens as a download, not a page")
            check(page.evaluate(injected) == 0 and page.evaluate("window.__pwned === undefined")
                  and not page.evaluate("document.title").startswith("pwned"), f"{path} ran nothing when opened")
    finally:
        if browser:
            browser.terminate()
            browser.wait(timeout=10)
        try:
            fixture.stdin.write("quit\n")
            fixture.stdin.close()
            fixture.wait(timeout=10)
        except Exception:
            fixture.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print(f"{len(failures)} browser check(s) failed")
        sys.exit(1)
    print("all browser checks passed")


if __name__ == "__main__":
    main()
