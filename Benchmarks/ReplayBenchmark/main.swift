// Bulk replay throughput against `wrk`, measured in the same run against the same target.
//
//   hookstash-replay-bench --to http://127.0.0.1:8089/hook [--captures 100000] [--concurrency 16]
//                          [--wrk-seconds 5] [--rounds 2] [--forward 20000]
//
// Stores N captures (a 1 KiB JSON webhook each) in a temporary SQLite store, then, alternating with `wrk` (the same
// number of connections POSTing the same body) in each round: replays every capture with `Replayer` (load from the
// store, deliver through the `DeliveryEngine` with that many transfers in flight, record each delivery) and drives
// the engine alone (a pre-built request, nothing recorded). Each hookstash rate is divided by the wrk rate
// measured just before it. Then a forward-queue drain: `--forward` captures pending for the target (as after
// the target was down), drained by `ForwardQueue` with the same concurrency. Prints the peak RSS.

import Foundation
import HookstashCore
import HookstashDelivery
import HookstashStore
import Synchronization

struct Arguments {
    var to = ""
    var captures = 100_000
    var concurrency = 16
    var wrkSeconds = 5
    var rounds = 2
    var forward = 20_000

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--to": to = value
            case "--captures": captures = Int(value) ?? captures
            case "--concurrency": concurrency = Int(value) ?? concurrency
            case "--wrk-seconds": wrkSeconds = Int(value) ?? wrkSeconds
            case "--rounds": rounds = Int(value) ?? rounds
            case "--forward": forward = Int(value) ?? forward
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

/// The peak resident set size of this process so far, in MiB (`VmHWM`).
func peakRSSMiB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}

func wrk() throws -> Double {
    let rate = try runWrk(
        url: target.description, connections: arguments.concurrency, seconds: arguments.wrkSeconds, body: body,
        directory: directory)
    print(
        String(
            format: "wrk -t2 -c%d -d%ds (POST, same body):           %9.0f requests/s", arguments.concurrency,
            arguments.wrkSeconds, rate))
    return rate
}

let engine = DeliveryEngine(maxTransfers: arguments.concurrency)
var replayer = Replayer(store: store, engine: engine)
if let batch = ProcessInfo.processInfo.environment["BENCH_RECORD_BATCH"].flatMap(Int.init) {
    replayer.recordBatchSize = batch
}
let request = try replayer.request(for: ids[0], to: target, settings: ReplaySettings())

for round in 1...max(1, arguments.rounds) {
    print("round \(round)")
    let wrkBeforeReplay = try wrk()
    let replayStart = ContinuousClock.now
    let failures = Mutex(0)
    let results = try await replayer.replay(ids, to: target, keepResults: false) { result in
        if !result.succeeded { failures.withLock { $0 += 1 } }
    }
    precondition(results.isEmpty)
    let replaySeconds = seconds(since: replayStart)
    let replayRate = Double(ids.count) / replaySeconds
    print(
        String(
            format: "hookstash bulk replay (load, deliver, record): %9.0f requests/s  (%d in %.2f s, %d not 2xx/3xx)",
            replayRate, ids.count, replaySeconds, failures.withLock { $0 }))

    let wrkBeforeEngine = try wrk()
    let engineStart = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
        var next = 0
        for _ in 0..<(arguments.concurrency * 2) where next < ids.count {
            next += 1
            group.addTask { _ = await engine.deliver(request, options: DeliveryOptions()) }
        }
        while await group.next() != nil {
            if next < ids.count {
                next += 1
                group.addTask { _ = await engine.deliver(request, options: DeliveryOptions()) }
            }
        }
    }
    let engineRate = Double(ids.count) / seconds(since: engineStart)
    print(String(format: "hookstash delivery engine alone:                %9.0f requests/s", engineRate))
    print(
        String(
            format: "ratio bulk replay / wrk: %.2f   engine / wrk: %.2f   peak RSS: %.0f MiB",
            replayRate / wrkBeforeReplay, engineRate / wrkBeforeEngine, peakRSSMiB()))
}
engine.shutdown()

if arguments.forward > 0 {
    let forwardIDs = Array(ids.prefix(arguments.forward))
    let queue = ForwardQueue(
        store: store,
        configuration: ForwardQueue.Configuration(
            target: target, concurrency: arguments.concurrency, batchSize: arguments.concurrency * 16))
    // Queued while the target was down: every entry is due when the queue starts.
    try queue.enqueue(forwardIDs)
    let wrkBeforeForward = try wrk()
    let forwardStart = ContinuousClock.now
    let drain = Task { try await queue.run() }
    while try queue.pendingCount() > 0 { try await Task.sleep(for: .milliseconds(20)) }
    let forwardSeconds = seconds(since: forwardStart)
    drain.cancel()
    _ = try? await drain.value
    let delivered = try store.forwardCount(to: queue.queueKey, state: .delivered)
    let forwardRate = Double(forwardIDs.count) / forwardSeconds
    print(
        String(
            format: "forward queue drain (%d pending, target back): %9.0f captures/s  (%.2f s, %d delivered)  "
                + "ratio to wrk: %.2f", forwardIDs.count, forwardRate, forwardSeconds, delivered,
            forwardRate / wrkBeforeForward))
}
print(String(format: "peak RSS of the run: %.0f MiB", peakRSSMiB()))
