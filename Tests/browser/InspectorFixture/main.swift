// Test-only: serves the inspector over a store seeded with hostile captures, for the headless Chromium tests
// in Tests/browser. Prints `PORT <n>` once listening; each `insert` line on stdin stores one more capture and
// prints `INSERTED <id>`.
import Foundation
import HookstashCore
import HookstashInspector
import HookstashStore
import Logging
import ServiceLifecycle

func capture(target: String, headers: [(String, String)], body: String) -> Capture {
    let bytes = Array(body.utf8)
    var head = "POST \(target) HTTP/1.1\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    head += "Content-Length: \(bytes.count)\r\n\r\n"
    var list = HeaderList(headers)
    list.append(name: "Content-Length", value: String(bytes.count))
    return Capture(
        receivedAt: .now(), remoteAddress: "127.0.0.1:40000", method: "POST", target: RequestTarget(target),
        httpVersion: "HTTP/1.1", headers: list, body: .inline(bytes),
        bodySHA256: DigestHasher.digest(.sha256, bytes).hexString, rawHead: Array(head.utf8), responseStatus: 200)
}

/// One line to the driving script, unbuffered.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: hookstash-inspector-fixture STORE_PATH\n".utf8))
    exit(2)
}
let store = try CaptureStore(path: arguments[1])
_ = try store.insert([
    capture(
        target: "/webhooks/front?x=1",
        headers: [("Host", "localhost:8080"), ("Content-Type", "application/json"), ("X-Front-Signature", "abc=")],
        body: #"{"type":"inbound","conversation":{"id":"cnv_1","subject":"Hello"}}"#),
    capture(
        target: "/webhooks/xss",
        headers: [
            ("Host", "localhost:8080"), ("Content-Type", "text/html"),
            ("X-Evil", #""><img src=x onerror="document.title='pwned-img'">"#),
        ],
        body: "<script>document.title='pwned'</script>"),
    // 3: a body declared as JavaScript: it must never load as a script of the inspector's origin.
    capture(
        target: "/webhooks/js",
        headers: [("Host", "localhost:8080"), ("Content-Type", "text/javascript")],
        body: "document.title = 'pwned-js'; window.__pwned = 'js';"),
    // 4: grapheme clusters that hide `<`, `"` and `'` from a `Character`-based escaper, in the target, headers and
    // body.
    capture(
        target: "/g?\u{600}<img id=injected-target src=x onerror=\"document.title='pwned-target'\">",
        headers: [
            ("Host", "localhost:8080"), ("Content-Type", "text/html"),
            ("X-Grapheme", "\"\u{301}><img id=injected-header src=x onerror=\"document.title='pwned-header'\">"),
            ("X-Quote", "'\u{301}><img id=injected-quote src=x onerror=\"document.title='pwned-quote'\">"),
        ],
        body:
            "\u{600}<img id=injected-body src=x onerror=\"document.title='pwned-body'\">"
            + "\u{600}<script id=injected-script>document.title='pwned-script'</script>"
            + "<\u{338}img id=injected-combining src=x onerror=\"document.title='pwned-combining'\">"),
])

let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
let inspector = Inspector(
    configuration: InspectorConfiguration(
        host: "127.0.0.1", port: 0, store: store, onServerRunning: { port in portContinuation.yield(port) }))
let group = ServiceGroup(
    configuration: .init(
        services: [inspector], gracefulShutdownSignals: [.sigterm, .sigint],
        logger: Logger(label: "fixture", factory: { _ in SwiftLogNoOpLogHandler() })))

let server = Task { try await group.run() }
for await port in ports {
    say("PORT \(port)")
    break
}
var counter = 0
while let line = readLine() {
    switch line.trimmingCharacters(in: .whitespaces) {
    case "insert":
        counter += 1
        let id = try store.insert([
            capture(
                target: "/live/\(counter)", headers: [("Host", "localhost:8080"), ("Content-Type", "text/plain")],
                body: "live capture \(counter)")
        ])[0]
        say("INSERTED \(id)")
    case "quit":
        await group.triggerGracefulShutdown()
    default:
        break
    }
}
await group.triggerGracefulShutdown()
try await server.value
