import Foundation
import GRDB
import HookstashCore
import Testing

@testable import HookstashStore

/// Problems and signature findings are stored with their codes; rows stored before they had codes (sentences)
/// are still read, each sentence kept as `recorded_text`.
@Suite struct StoredFindingsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "hookstash-findings-\(UUID().uuidString)"
    ).path

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func capture() -> Capture {
        Capture(
            receivedAt: Timestamp(microsecondsSinceEpoch: 1_000_000), remoteAddress: "127.0.0.1:1", method: "POST",
            target: RequestTarget("/p"), httpVersion: "HTTP/1.1", headers: HeaderList([("A", "1")]), body: .empty,
            bodySHA256: DigestHasher.digest(.sha256, []).hexString, rawHead: Array("POST /p HTTP/1.1\r\n\r\n".utf8),
            responseStatus: 200)
    }

    @Test func typedProblemAndFindingsRoundTrip() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        var original = capture()
        original.malformed = true
        original.problem = CaptureProblem(.headTimedOut, milliseconds: 1500)
        var skew = SignatureFinding(.timestampOutsideTolerance)
        skew.skewSeconds = 2460
        skew.tolerance = SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Stripe's libraries", plural: true)
        var reserialized = SignatureFinding(.bodyReserializedCompact)
        reserialized.provider = "Stripe"
        reserialized.written = SignatureFinding.Written(encoding: "base64", prefix: "")
        reserialized.expectedWritten = SignatureFinding.Written(encoding: "hex", prefix: "v1=")
        original.signature = SignatureVerdict(
            scheme: "stripe", status: .invalid, header: "Stripe-Signature", received: "t=1,v1=ab", expected: "v1=ab",
            diagnosis: [reserialized], warnings: [skew])
        let id = try store.insert([original])[0]
        let stored = try store.requireCapture(id: id)
        #expect(stored.problem == original.problem)
        #expect(stored.signature?.diagnosis == [reserialized])
        #expect(stored.signature?.warnings == [skew])
    }

    @Test func rowsStoredAsSentencesAreReadAsRecordedText() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        let id = try store.insert([capture()])[0]
        let verdict =
            #"{"scheme":"front","status":"invalid","header":"X-Front-Signature","received":"x","#
            + #""expected":"y","matched_secret":null,"diagnosis":["matches if a trailing newline is removed"],"#
            + #""warnings":["timestamp is 41 minutes old"]}"#
        try store.pool.write { db in
            try db.execute(
                sql: "UPDATE capture SET problem = ?, signature = ? WHERE id = ?",
                arguments: ["the body exceeds --max-body-size (10 bytes)", verdict, id])
        }
        let stored = try store.requireCapture(id: id)
        #expect(stored.problem == .recorded("the body exceeds --max-body-size (10 bytes)"))
        #expect(stored.signature?.diagnosis == [.recorded("matches if a trailing newline is removed")])
        #expect(stored.signature?.warnings == [.recorded("timestamp is 41 minutes old")])
        #expect(
            stored.signature.map { Wording.standard.sentence($0.diagnosis[0]) }
                == "matches if a trailing newline is removed")
    }
}
