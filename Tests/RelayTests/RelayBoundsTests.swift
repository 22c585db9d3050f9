import Foundation
import HookstashCore
import HookstashDelivery
import HookstashStore
import HookstashTestSupport
import Synchronization
import Testing

@testable import HookstashRelay

/// `pull` against a hostile or broken remote, and a local store that stops taking writes: nothing grows without
/// bound and nothing spins.
@Suite struct RelayBoundsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "hookstash-relay-bounds-\(UUID().uuidString)"
    ).path

    @Test func anEventStreamLineLongerThanTheLimitStopsTheParser() {
        var parser = ServerSentEventParser(lineLimit: 1024)
        #expect(parser.feed(Array("id: 1\nevent: capture\n\n".utf8)).count == 1)
        // A megabyte without a line break: kept to the limit, then nothing more is read.
        let events = parser.feed([UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20))
        #expect(events.isEmpty)
        #expect(parser.overflowed)
        #expect(parser.feed(Array("\nid: 2\nevent: capture\n\n".utf8)).isEmpty)
    }

    @Test func anEventWithMoreDataThanTheLimitStopsTheParser() {
        var parser = ServerSentEventParser(lineLimit: 1024)
        var stream: [UInt8] = []
        for _ in 0..<100 { stream += Array("data: \(String(repeating: "x", count: 100))\n".utf8) }
        #expect(parser.feed(stream + Array("\n".utf8)).isEmpty)
        #expect(parser.overflowed)
    }

    /// A delivery whose outcome cannot be recorded leaves its entry due: the next attempt must wait, or the same
    /// capture reaches the app again and again in a tight loop.
    @Test func aDeliveryThatCannotBeRecordedIsRetriedAfterAPauseNotInALoop() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/local.sqlite"
        let app = try RecordingServer { _ in
            // A large answer: recording it needs new pages, which the full store below cannot give.
            .bytes(RecordingServer.response(200, body: String(repeating: "r", count: 60_000)))
        }
        defer { app.stop() }
        let target = try DeliveryTarget(parsing: app.url)
        let store = try CaptureStore(path: path)
        let body = Array("{}".utf8)
        let capture = Capture(
            receivedAt: .now(), remoteAddress: "203.0.113.9:4411", method: "POST", target: RequestTarget("/hook"),
            httpVersion: "HTTP/1.1", headers: HeaderList([("Content-Length", "2")]), body: .inline(body),
            bodySHA256: DigestHasher.digest(.sha256, body).hexString,
            rawHead: Array("POST /hook HTTP/1.1\r\nContent-Length: 2\r\n\r\n".utf8), responseStatus: 200)
        let queue = "pull:" + target.description
        _ = try store.importRelayed(capture, remote: "http://remote.test/", remoteID: 1, queue: queue)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        let full = try CaptureStore(path: path, maxSize: max(size, 4096))

        let relay = RelayDeliveryQueue(
            store: full, target: target, policy: RetryPolicy(initialDelay: 0.5, maxDelay: 30, maxAttempts: Int.max),
            onEvent: { _ in })
        let task = Task { await relay.run() }
        try await Task.sleep(for: .seconds(2))
        task.cancel()
        await task.value
        let received = await app.requests(atLeast: 1_000, seconds: 0.1).count
        #expect(received >= 1)
        #expect(received <= 5, "the same capture was delivered \(received) times in 2 s")
    }
}
