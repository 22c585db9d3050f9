// Server-side time of the inspector's list page and list API over a large store.
//
//   swift run -c release inspector-benchmark [--captures 100000] [--requests 300]
//
// Fills a temporary store, starts the inspector on 127.0.0.1 port 0, requests each path many times over
// loopback, and reports the median and p99 of the `Server-Timing: app;dur=` the inspector measures around its
// handler (middleware included), and of the round trip seen by the client.
import Foundation
import HookstashCore
import HookstashInspector
import HookstashStore
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

func option(_ name: String, _ fallback: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1])
    else { return fallback }
    return value
}

let captureCount = option("--captures", 100_000)
let requestCount = option("--requests", 300)

func sampleCapture(_ number: Int) -> Capture {
    let body = Array(
        #"{"type":"inbound","id":"evt_\#(number)","conversation":{"id":"cnv_\#(number % 977)","subject":"Order \#(number) shipped","tags":["a","b"]},"text":"\#(String(repeating: "lorem ipsum ", count: 40))"}"#
            .utf8)
    let method = number % 10 == 0 ? "PUT" : "POST"
    let target = number % 3 == 0 ? "/webhooks/github?n=\(number)" : "/webhooks/front"
    let headers: [(String, String)] = [
        ("Host", "localhost:8080"), ("User-Agent", "Front/1.0"), ("Content-Type", "application/json"),
        ("X-Front-Signature", "c2lnbmF0dXJl\(number)"), ("X-Request-Id", "req-\(number)"),
    ]
    var head = "\(method) \(target) HTTP/1.1\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    head += "Content-Length: \(body.count)\r\n\r\n"
    let status: SignatureStatus = [.valid, .valid, .valid, .invalid, .missing][number % 5]
    return Capture(
        receivedAt: Timestamp(microsecondsSinceEpoch: 1_790_000_000_000_000 + Int64(number) * 1000),
        remoteAddress: "127.0.0.1:5\(number % 10000)", method: method, target: RequestTarget(target),
        httpVersion: "HTTP/1.1", headers: HeaderList(headers), body: .inline(body),
        bodySHA256: String(repeating: "ab", count: 32), rawHead: Array(head.utf8), responseStatus: 200,
        signature: SignatureVerdict(scheme: "front", status: status, header: "X-Front-Signature"))
}

/// One GET over a new loopback connection; returns the server's own timing and the round trip, in ms.
func timedGet(port: Int, path: String) -> (server: Double, roundTrip: Double) {
    let started = DispatchTime.now().uptimeNanoseconds
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count <= 0 { break }
        response.append(contentsOf: chunk[..<count])
    }
    let roundTrip = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
    let text = String(decoding: response.prefix(2048), as: UTF8.self)
    guard text.hasPrefix("HTTP/1.1 200"),
        let range = text.range(of: "server-timing: app;dur=", options: .caseInsensitive)
    else {
        fatalError("unexpected answer to \(path): \(text.prefix(200))")
    }
    let value = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
    return (Double(value) ?? .nan, roundTrip)
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
}

let directory = NSTemporaryDirectory() + "hookstash-inspector-bench-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let store = try CaptureStore(path: directory + "/store.sqlite")
let fillStarted = Date()
var inserted = 0
while inserted < captureCount {
    let batch = min(2000, captureCount - inserted)
    _ = try store.insert((inserted..<(inserted + batch)).map(sampleCapture))
    inserted += batch
}
// Some deliveries, so the list's last-delivery column has work to do.
for id in stride(from: Int64(captureCount), to: Int64(max(0, captureCount - 500)), by: -3) {
    try store.recordDelivery(
        Delivery(
            captureID: id, to: "http://localhost:3000/hook", at: .now(), status: 200, durationMs: 2, error: nil,
            resigned: false))
}
print("filled \(captureCount) captures in \(String(format: "%.1f", Date().timeIntervalSince(fillStarted))) s")

let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
let inspector = Inspector(
    configuration: InspectorConfiguration(
        host: "127.0.0.1", port: 0, store: store, onServerRunning: { continuation.yield($0) }))
let group = ServiceGroup(
    configuration: .init(
        services: [inspector], logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })))
let server = Task { try await group.run() }
var boundPort: Int?
for await port in ports {
    boundPort = port
    break
}
guard let port = boundPort else { fatalError("the inspector did not start") }

let paths = [
    "/", "/api/captures?limit=50", "/?before=50000", "/api/captures?limit=50&signature=invalid",
    "/api/captures?limit=50&method=PUT&path=/webhooks/github", "/captures/\(captureCount / 2)",
    // Text search scans every row that does not match (LIKE over the raw head and in-row body).
    "/api/captures?limit=50&q=evt_77777",
]
print("path | server median ms | server p99 ms | round trip median ms | round trip p99 ms")
print("---|---|---|---|---")
for path in paths {
    let results: [(Double, Double)] = await withCheckedContinuation { done in
        Thread.detachNewThread {
            for _ in 0..<20 { _ = timedGet(port: port, path: path) }
            done.resume(returning: (0..<requestCount).map { _ in timedGet(port: port, path: path) })
        }
    }
    let serverTimes = results.map(\.0).sorted()
    let roundTrips = results.map(\.1).sorted()
    print(
        "\(path) | "
            + [serverTimes, roundTrips].flatMap { [percentile($0, 0.5), percentile($0, 0.99)] }
            .map { String(format: "%.2f", $0) }.joined(separator: " | "))
}
await group.triggerGracefulShutdown()
try await server.value
