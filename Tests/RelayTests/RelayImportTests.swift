import Foundation
import HookstashCore
import HookstashStore
import Testing

@testable import HookstashRelay

@Suite struct RelayImportTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "hookstash-relay-\(UUID().uuidString)"
    ).path

    func capture(_ body: String) -> Capture {
        Capture(
            receivedAt: Timestamp(microsecondsSinceEpoch: 1_000_000), remoteAddress: "203.0.113.9:4411",
            method: "POST", target: RequestTarget("/hook"), httpVersion: "HTTP/1.1",
            headers: HeaderList([("Content-Length", String(body.utf8.count))]), body: .inline(Array(body.utf8)),
            bodySHA256: DigestHasher.digest(.sha256, Array(body.utf8)).hexString,
            rawHead: Array("POST /hook HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n".utf8),
            responseStatus: 200
        )
    }

    @Test func anImportStoresTheCaptureMovesThePositionAndQueuesItTogether() throws {
        let store = try CaptureStore(path: directory + "/local.sqlite")
        let remote = "https://relay.example.com/"
        #expect(try store.relayPosition(remote: remote) == nil)
        #expect(try store.startRelay(remote: remote, after: 40) == 40)
        // A second start never moves an existing position back.
        #expect(try store.startRelay(remote: remote, after: 0) == 40)

        let id = try #require(
            try store.importRelayed(capture("one"), remote: remote, remoteID: 41, queue: "http://localhost:3000"))
        #expect(try store.relayPosition(remote: remote) == 41)
        #expect(try store.relayedRemoteID(of: id) == 41)
        #expect(try store.requireCapture(id: id).remoteAddress == "203.0.113.9:4411")
        let queued = try store.forwardEntries(to: "http://localhost:3000")
        #expect(queued.map(\.captureID) == [id])
        #expect(queued.map(\.state) == [.pending])

        // The same remote capture again (a replayed event after a crash) is not imported twice.
        #expect(
            try store.importRelayed(capture("one"), remote: remote, remoteID: 41, queue: "http://localhost:3000") == nil
        )
        #expect(try store.ids(CaptureFilter(), limit: 10).count == 1)

        try store.passOverRelayed(remote: remote, remoteID: 45)
        #expect(try store.relayPosition(remote: remote) == 45)
        try store.passOverRelayed(remote: remote, remoteID: 43)
        #expect(try store.relayPosition(remote: remote) == 45, "the position never moves back")
    }

    @Test func theRawMessageSplitsIntoHeadAndOriginalFraming() {
        let head = Array("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let chunked = Array("2\r\nhi\r\n0\r\n\r\n".utf8)
        let split = RemoteCaptureDocument.split(head + chunked, body: Array("hi".utf8), malformed: false)
        #expect(split.head == head)
        #expect(split.rawBody == chunked)

        let plainHead = Array("POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\n".utf8)
        let body = Array("\r\n\r\n".utf8)
        let plain = RemoteCaptureDocument.split(plainHead + body, body: body, malformed: false)
        #expect(plain.head == plainHead)
        #expect(plain.rawBody == nil)

        let garbage = Array("GET /m HTTP/1.1\r\nBad Header : 1\r\n\r\n".utf8)
        let malformed = RemoteCaptureDocument.split(garbage, body: [], malformed: true)
        #expect(malformed.head == garbage)
        #expect(malformed.rawBody == nil)
    }
}
