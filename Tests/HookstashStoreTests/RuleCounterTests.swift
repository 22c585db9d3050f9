import Foundation
import HookstashCore
import HookstashStore
import Testing

/// `fail_times` counters: counted in the transaction that stores the capture, the chosen rule recorded in its row,
/// and the table bounded however many keys a sender invents.
@Suite struct RuleCounterTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "hookstash-rules-\(UUID().uuidString)"
    ).path

    static func capture(answeredBy: AnsweredBy = .configured) -> Capture {
        var capture = Capture(
            receivedAt: .now(), remoteAddress: "127.0.0.1:1", method: "POST", target: RequestTarget("/hook"),
            httpVersion: "HTTP/1.1", headers: HeaderList(), body: .empty,
            bodySHA256: DigestHasher.digest(.sha256, []).hexString,
            rawHead: Array("POST /hook HTTP/1.1\r\n\r\n".utf8), responseStatus: 200)
        capture.answeredBy = answeredBy
        return capture
    }

    static func answer(_ name: String, status: Int, action: RuleAction = .answer) -> RuleAnswer {
        RuleAnswer(ruleName: name, action: action, status: status, headers: [], body: PendingText(), delay: .zero)
    }

    static func encoded(key: String, limit: Int = 2) -> EncodedCapture {
        var encoded = EncodedCapture(capture())
        encoded.ruleCandidates = [
            RuleCandidate(counter: .init(key: key, limit: limit), answer: answer("flaky", status: 500)),
            RuleCandidate(counter: nil, answer: answer("closer", status: 200, action: .close)),
        ]
        return encoded
    }

    @Test func theFirstCandidateBelowItsLimitAnswersAndTheRowSaysSo() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        var chosen: [String?] = []
        var ids: [Int64] = []
        for _ in 0..<3 {
            let stored = try #require(try store.insertChoosingRules(encoded: [Self.encoded(key: "flaky\nevt_1")]).first)
            chosen.append(stored.ruleAnswer?.ruleName)
            ids.append(stored.id)
        }
        #expect(chosen == ["flaky", "flaky", "closer"])
        #expect(try store.ruleCount(key: "flaky\nevt_1") == 2)
        let first = try store.requireCapture(id: ids[0])
        #expect(first.answeredBy == .rule)
        #expect(first.rule == "flaky")
        #expect(first.responseStatus == 500)
        let closed = try store.requireCapture(id: ids[2])
        #expect(closed.rule == "closer")
        #expect(closed.responseStatus == 0)
        // No candidates: the capture keeps its own answer.
        let plain = try #require(try store.insertChoosingRules(encoded: [EncodedCapture(Self.capture())]).first)
        #expect(plain.ruleAnswer == nil)
        #expect(try store.requireCapture(id: plain.id).answeredBy == .configured)
        #expect(try store.requireCapture(id: plain.id).rule == nil)
    }

    @Test func countersInOneBatchCountEachOther() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        let stored = try store.insertChoosingRules(encoded: (0..<3).map { _ in Self.encoded(key: "k") })
        #expect(stored.map { $0.ruleAnswer?.ruleName } == ["flaky", "flaky", "closer"])
    }

    @Test func aSenderInventingKeysCannotGrowTheTableBeyondTheCap() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        let extra = 5
        let total = CaptureStore.maximumRuleCounters + extra
        _ = try store.insertChoosingRules(encoded: (0..<total).map { Self.encoded(key: "flaky\nevt_\($0)", limit: 1) })
        #expect(try store.ruleCounterCount() == CaptureStore.maximumRuleCounters)
        #expect(try store.ruleCount(key: "flaky\nevt_0") == nil)
        #expect(try store.ruleCount(key: "flaky\nevt_\(extra - 1)") == nil)
        #expect(try store.ruleCount(key: "flaky\nevt_\(extra)") == 1)
        #expect(try store.ruleCount(key: "flaky\nevt_\(total - 1)") == 1)
    }
}
