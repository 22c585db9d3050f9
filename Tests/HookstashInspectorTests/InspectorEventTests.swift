import Foundation
import HookstashCore
import HookstashStore
import HookstashTestSupport
import Testing

struct HeaderPairs: @unchecked Sendable {
    // @unchecked: plain strings.
    var pairs: [(String, String)]
}

@Suite struct InspectorEventTests {
    /// Opens `/api/events` and returns the socket once the stream's head has arrived.
    func openEvents(_ harness: InspectorHarness, lastEventID: Int64? = nil) async throws -> RawConnection {
        let port = harness.port
        let (socket, status, headers) = try await offThePool {
            let socket = try RawConnection(port: port)
            var head = "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
            if let lastEventID { head += "Last-Event-ID: \(lastEventID)\r\n" }
            try socket.send(Array((head + "\r\n").utf8))
            let (status, headers) = try socket.readHead()
            return (socket, status, HeaderPairs(pairs: headers))
        }
        #expect(status == 200)
        #expect(headers.pairs.contains { $0.0.lowercased() == "content-type" && $0.1.hasPrefix("text/event-stream") })
        return socket
    }

    func captureIDs(_ socket: RawConnection, count: Int, timeout: Double) async throws -> [Int64] {
        try await offThePool { try readCaptureIDs(socket, count: count, timeout: timeout) }
    }

    /// The ids of `capture` events read until `count` arrived or `timeout` passed.
    func readCaptureIDs(_ socket: RawConnection, count: Int, timeout: Double) throws -> [Int64] {
        var ids: [Int64] = []
        let deadline = Date().addingTimeInterval(timeout)
        while ids.count < count, deadline.timeIntervalSinceNow > 0 {
            guard let event = try socket.readEvent(timeout: deadline.timeIntervalSinceNow) else { break }
            // By unicode scalars: "\r\n" of the chunked framing is one Character in Swift.
            let lines = event.utf8.split(separator: 10).map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard lines.contains("event: capture") else { continue }
            let idLine = lines.first { $0.hasPrefix("id: ") }
            let dataLine = lines.first { $0.hasPrefix("data: ") }
            guard let id = idLine.flatMap({ Int64($0.dropFirst(4)) }) else { continue }
            // The data is the summary of the same capture.
            let data = try #require(dataLine.map { Data($0.dropFirst(6).utf8) })
            let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(summary["id"] as? Int == Int(id))
            ids.append(id)
        }
        return ids
    }

    /// The harness's streams look at the store without a ring only every 15 s, so a capture that arrives within
    /// 5 s was announced by the store's bell. (The bound leaves room for a loaded 2-core machine running the whole
    /// suite; how fast the bell is belongs to the relay-latency benchmark, not to a timed test.)
    @Test func aNewCaptureIsAnnouncedByTheBellNotTheFallbackLook() async throws {
        let harness = try await InspectorHarness.start { store in _ = try store.insert([SampleCapture.make()]) }
        let socket = try await openEvents(harness)
        // The stream has fixed its starting point (the newest capture, id 1) once its first comment arrives; a
        // capture inserted before that would be its starting point and never announced.
        let start = try await offThePool { try socket.readEvent(timeout: 5) }
        #expect(start?.contains(": hookstash events after 1\n") == true)
        let started = Date()
        let id = try harness.store.insert([SampleCapture.make(target: "/live")])[0]
        let ids = try await captureIDs(socket, count: 1, timeout: 5.0)
        #expect(ids == [id])
        #expect(Date().timeIntervalSince(started) < 5.0)
        try await harness.stop()
    }

    /// Another process writing to the same file does not ring this process's bell: its captures come with the
    /// fallback look.
    @Test func capturesFromAnotherConnectionArriveWithTheFallbackLook() async throws {
        let harness = try await InspectorHarness.start(pollInterval: .milliseconds(100))
        let socket = try await openEvents(harness)
        try await Task.sleep(for: .milliseconds(150))
        let other = try CaptureStore(path: harness.store.path, mode: .mustExist)
        let id = try other.insert([SampleCapture.make(target: "/from-elsewhere")])[0]
        #expect(try await captureIDs(socket, count: 1, timeout: 2) == [id])
        try await harness.stop()
    }

    @Test func resumesFromLastEventIDWithoutGapsOrRepeats() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert((1...5).map { SampleCapture.make(target: "/before/\($0)") })
        }
        // A client that saw up to id 2 reconnects: it gets 3, 4, 5 and then the new ones, each once.
        let socket = try await openEvents(harness, lastEventID: 2)
        var ids = try await captureIDs(socket, count: 3, timeout: 2)
        #expect(ids == [3, 4, 5])
        for round in 0..<4 {
            _ = try harness.store.insert((0..<(round + 1)).map { _ in SampleCapture.make(target: "/after") })
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...120)))
        }
        ids += try await captureIDs(socket, count: 10, timeout: 3)
        #expect(ids == Array(3...15))
        // Nothing more arrives: no repeats.
        #expect(try await captureIDs(socket, count: 1, timeout: 0.4).isEmpty)
        try await harness.stop()
    }

    @Test func theListPageTellsTheStreamWhereToStart() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert((1...3).map { _ in SampleCapture.make() })
        }
        let page = try await harness.get("/").text
        #expect(page.contains(#"data-after="3""#))
        // A capture stored after the page was rendered and before the script connected is still sent.
        _ = try harness.store.insert([SampleCapture.make(target: "/between")])
        let socket = try RawConnection(port: harness.port)
        try socket.send(
            Array("GET /api/events?last_event_id=3 HTTP/1.1\r\nHost: 127.0.0.1:\(harness.port)\r\n\r\n".utf8))
        _ = try await offThePool { try socket.readHead() }
        #expect(try await captureIDs(socket, count: 1, timeout: 2) == [4])
        try await harness.stop()
    }

    @Test func gracefulShutdownEndsOpenStreams() async throws {
        let harness = try await InspectorHarness.start()
        let socket = try await openEvents(harness)
        try await harness.stop()
        // The stream was finished by the server rather than left hanging.
        let rest = try await offThePool { try socket.readToEnd(timeout: 3) }
        #expect(String(decoding: rest, as: UTF8.self).hasSuffix("0\r\n\r\n"))
    }
}
