// Bulk replay throughput against `wrk`, measured in the same run against the same target.
//
//   hookstash-replay-bench --to http://127.0.0.1:8089/hook [--captures 10000] [--concurrency 16] [--wrk-seconds 5]
//
// Stores N captures (a 1 KiB JSON webhook each) in a temporary SQLite store, runs `wrk` with the same number of
// connections POSTing the same body, then replays every capture with `Replayer` (load from the store, deliver
// through libcurl with one keep-alive handle per worker, record each delivery in the store) and prints both rates
// and their ratio. Also prints the engine alone (pre-built requests, nothing recorded).

import Foundation
import HookstashCore
import HookstashDelivery
import HookstashStore

struct Arguments {
    var to = ""
    var captures = 10_000
    var concurrency = 16
    var wrkSeconds = 5

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--to": to = value
            case "--captures": captures = Int(value) ?? captures
            case "--concurrency": concurrency = Int(value) ?? concurrency
            case "--wrk-seconds": wrkSeconds = Int(value) ?? wrkSeconds
            default:
                FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
                exit(2)
            }
        }
        if to.isEmpty {
            FileHandle.standardError.write(
                Data("usage: hookstash-replay-bench --to URL [--captures N] [--concurrency N] [--wrk-seconds S]\n".utf8)
            )
            exit(2)
        }
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Runs wrk with a Lua script POSTing `body`; returns requests per second.
func runWrk(url: String, connections: Int, seconds: Int, body: String, directory: URL) throws -> Double {
    let script = directory.appendingPathComponent("post.lua")
    let escaped = body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    try """
    wrk.method = "POST"
    wrk.body = "\(escaped)"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["X-Front-Signature"] = "c2lnbmF0dXJl"
    """.write(to: script, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["wrk", "-t", "2", "-c", String(connections), "-d", "\(seconds)s", "-s", script.path, url]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
        let rate = Double(line.split(separator: " ").last ?? "")
    else {
        throw HookstashError.io("wrk gave no Requests/sec line:\n\(output)")
    }
    if let errors = output.split(separator: "\n").first(where: {
        $0.contains("Non-2xx") || $0.contains("Socket errors")
    }) {
        print("wrk: \(errors.trimmingSpaces())")
    }
    return rate
}

let arguments = Arguments()
let target = try DeliveryTarget(parsing: arguments.to)
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hookstash-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let store = try CaptureStore(path: directory.appendingPathComponent("bench.sqlite").path)

let text = String(repeating: "lorem ipsum ", count: 70)
let body = #"{"type":"inbound","conversation":{"id":"cnv_1"},"text":"\#(text)"}"#
let bodyBytes = Array(body.utf8)
let headers: [(String, String)] = [
    ("Host", "abc.ngrok-free.app"), ("User-Agent", "Front/1.0"), ("Content-Type", "application/json"),
    ("X-Front-Signature", "c2lnbmF0dXJl"), ("X-Front-Request-Timestamp", "1764400000"),
    ("Content-Length", String(bodyBytes.count)),
]
let sha = DigestHasher.digest(.sha256, bodyBytes).map { String(format: "%02x", $0) }.joined()
var ids: [Int64] = []
for start in stride(from: 0, to: arguments.captures, by: 1000) {
    let batch = (start..<min(start + 1000, arguments.captures)).map { _ in
        Capture(
            receivedAt: .now(), remoteAddress: "127.0.0.1:1", method: "POST", target: RequestTarget("/webhooks/front"),
            httpVersion: "HTTP/1.1", headers: HeaderList(headers), body: .inline(bodyBytes), bodySHA256: sha,
            rawHead: Array("POST /webhooks/front HTTP/1.1\r\n\r\n".utf8), responseStatus: 200)
    }
    ids += try store.insert(batch)
}
print(
    "target: \(target)  captures: \(ids.count)  body: \(bodyBytes.count) bytes  concurrency: \(arguments.concurrency)")

let wrkRate = try runWrk(
    url: target.description, connections: arguments.concurrency, seconds: arguments.wrkSeconds, body: body,
    directory: directory)
print(
    String(
        format: "wrk -t2 -c%d -d%ds (POST, same body):        %9.0f requests/s", arguments.concurrency,
        arguments.wrkSeconds, wrkRate))

let workers = DeliveryEngine(maxTransfers: arguments.concurrency)
var replayer = Replayer(store: store, engine: workers)
if let batch = ProcessInfo.processInfo.environment["BENCH_RECORD_BATCH"].flatMap(Int.init) {
    replayer.recordBatchSize = batch
}
if ProcessInfo.processInfo.environment["BENCH_PROBE"] != nil {
    var start = ContinuousClock.now
    var requests: [OutgoingRequest] = []
    for id in ids { requests.append(try replayer.request(for: id, to: target, settings: ReplaySettings())) }
    print(String(format: "probe: load + build %d requests: %.2f s", ids.count, seconds(since: start)))
    start = ContinuousClock.now
    let outcome = await workers.deliver(requests[0], options: DeliveryOptions())
    var reports: [(Delivery, String?)] = []
    for (index, id) in ids.enumerated() {
        reports.append(
            (
                Delivery(captureID: id, request: requests[index], outcome: outcome),
                DeliveryReport(source: "replay", request: requests[index], outcome: outcome).json()
            ))
    }
    print(String(format: "probe: %d reports as JSON: %.2f s", ids.count, seconds(since: start)))
    start = ContinuousClock.now
    for chunk in stride(from: 0, to: reports.count, by: 64) {
        try store.recordDeliveries(Array(reports[chunk..<min(chunk + 64, reports.count)]))
    }
    print(String(format: "probe: record in batches of 64: %.2f s", seconds(since: start)))
}
let replayStart = ContinuousClock.now
let results = try await replayer.replay(ids, to: target)
let replaySeconds = seconds(since: replayStart)
let failures = results.filter { !$0.succeeded }.count
let replayRate = Double(results.count) / replaySeconds
print(
    String(
        format: "hookstash bulk replay (load, deliver, record): %9.0f requests/s  (%d in %.2f s, %d not 2xx/3xx)",
        replayRate, results.count, replaySeconds, failures))

// The engine alone: requests built once, nothing read or recorded.
let request = try replayer.request(for: ids[0], to: target, settings: ReplaySettings())
let engineStart = ContinuousClock.now
await withTaskGroup(of: Void.self) { group in
    var next = 0
    for _ in 0..<(arguments.concurrency * 2) where next < ids.count {
        next += 1
        group.addTask { _ = await workers.deliver(request, options: DeliveryOptions()) }
    }
    while await group.next() != nil {
        if next < ids.count {
            next += 1
            group.addTask { _ = await workers.deliver(request, options: DeliveryOptions()) }
        }
    }
}
let engineRate = Double(ids.count) / seconds(since: engineStart)
workers.shutdown()
print(String(format: "hookstash delivery engine alone:               %9.0f requests/s", engineRate))
print(String(format: "ratio bulk replay / wrk: %.2f   engine / wrk: %.2f", replayRate / wrkRate, engineRate / wrkRate))
