import HookstashCore
import Testing

@Suite("message diffs")
struct MessageDiffTests {
    static func message(
        _ headers: [(String, String)], body: String = "", method: String = "POST", target: String = "/hooks"
    ) -> DiffableMessage {
        DiffableMessage(
            startLine: [.init("method", method), .init("target", target), .init("version", "HTTP/1.1")],
            headers: HeaderList(headers), body: Array(body.utf8))
    }

    @Test func identicalMessagesHaveAnEmptyDiff() {
        let one = Self.message([("A", "1")], body: "x")
        #expect(MessageDiff.compare(one, one).isEmpty)
    }

    @Test func headersAddedRemovedChangedMovedAndCaseChanged() {
        let old = Self.message([("Host", "h"), ("Content-Type", "a"), ("X-Old", "o"), ("X-Id", "1"), ("Accept", "*")])
        let new = Self.message([("Content-Type", "b"), ("host", "h"), ("X-Id", "1"), ("Accept", "*"), ("X-New", "n")])
        let changes = MessageDiff.compare(old, new).headers
        let kinds = changes.map { "\($0.kind.rawValue) \($0.name)" }
        #expect(kinds.contains("removed X-Old"))
        #expect(kinds.contains("added X-New"))
        #expect(kinds.contains("changed Content-Type"))
        #expect(kinds.contains("case_changed host"))
        // Host went from first to second: one of Host and Content-Type moved, the rest kept their order.
        #expect(changes.filter { $0.kind == .moved }.count == 1)
        #expect(!kinds.contains("moved X-Id") && !kinds.contains("moved Accept"))
        let changed = try! #require(changes.first { $0.kind == .changed })
        #expect(changed.oldValue == "a" && changed.newValue == "b")
    }

    @Test func repeatedHeadersPairByOccurrence() {
        let old = Self.message([("Set", "1"), ("Set", "2")])
        let new = Self.message([("Set", "1"), ("Set", "3"), ("Set", "4")])
        let changes = MessageDiff.compare(old, new).headers
        #expect(changes.map(\.kind) == [.changed, .added])
        #expect(changes[0].oldIndex == 1 && changes[0].newValue == "3")
        #expect(changes[1].newIndex == 2)
    }

    @Test func canonicallyEquivalentValuesAreDifferentBytes() {
        // "é" precomposed and decomposed are equal as Swift Strings, not as bytes.
        let old = Self.message([("X-Name", "caf\u{E9}")], body: #"{"name":"caf\#u{E9}"}"#)
        let new = Self.message([("X-Name", "cafe\u{301}")], body: #"{"name":"cafe\#u{301}"}"#)
        let diff = MessageDiff.compare(old, new)
        #expect(diff.headers.map(\.kind) == [.changed])
        guard case .json(let changes, _) = diff.body else {
            Issue.record("expected a JSON diff, got \(diff.body)")
            return
        }
        #expect(changes == [JSONChange(kind: .changed, pointer: "/name", old: "\"caf\u{E9}\"", new: "\"cafe\u{301}\"")])
    }

    @Test func startLineFieldsThatDiffer() {
        let diff = MessageDiff.compare(
            Self.message([], method: "POST", target: "/a"), Self.message([], method: "PUT", target: "/a"))
        #expect(diff.startLine.map(\.field) == ["method"])
        #expect(diff.startLine[0].old == "POST" && diff.startLine[0].new == "PUT")
    }

    @Test func jsonBodiesDifferByPointer() {
        let old = #"{"type":"invoice.created","data":{"amount":100,"lines":[1,2,3],"a/b":true,"gone":null}}"#
        let new = #"{"type":"invoice.paid","data":{"amount":100.0,"lines":[1,2,4,5],"a/b":false,"new":{"x":1}}}"#
        guard case .json(let changes, let truncated) = BodyDiff.compare(Array(old.utf8), Array(new.utf8)) else {
            Issue.record("expected a JSON diff")
            return
        }
        #expect(!truncated)
        #expect(
            changes == [
                JSONChange(kind: .changed, pointer: "/type", old: #""invoice.created""#, new: #""invoice.paid""#),
                JSONChange(kind: .changed, pointer: "/data/amount", old: "100", new: "100.0"),
                JSONChange(kind: .changed, pointer: "/data/lines/2", old: "3", new: "4"),
                JSONChange(kind: .added, pointer: "/data/lines/3", new: "5"),
                JSONChange(kind: .changed, pointer: "/data/a~1b", old: "true", new: "false"),
                JSONChange(kind: .removed, pointer: "/data/gone", old: "null"),
                JSONChange(kind: .added, pointer: "/data/new", new: #"{"x":1}"#),
            ])
    }

    @Test func jsonTypeChangeAtTheRootAndTheChangeLimit() {
        guard case .json(let root, _) = BodyDiff.compare(Array("[1]".utf8), Array(#"{"a":1}"#.utf8)) else {
            Issue.record("expected a JSON diff")
            return
        }
        #expect(root == [JSONChange(kind: .changed, pointer: "", old: "[1]", new: #"{"a":1}"#)])
        let many = "[" + (0..<3000).map(String.init).joined(separator: ",") + "]"
        let others = "[" + (0..<3000).map { String($0 + 1) }.joined(separator: ",") + "]"
        guard case .json(let changes, let truncated) = BodyDiff.compare(Array(many.utf8), Array(others.utf8)) else {
            Issue.record("expected a JSON diff")
            return
        }
        #expect(changes.count == JSONDiff.changeLimit)
        #expect(truncated)
    }

    @Test func textBodiesDifferByLineWithContext() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n")
        var lines = (1...10).map { "line \($0)" }
        lines[4] = "line five"
        lines.append("line 11")
        guard case .lines(let hunks) = BodyDiff.compare(Array(old.utf8), Array(lines.joined(separator: "\n").utf8))
        else {
            Issue.record("expected a line diff")
            return
        }
        #expect(hunks.count == 2)
        #expect(hunks[0].oldStart == 3 && hunks[0].newStart == 3)
        #expect(
            hunks[0].lines.map { "\($0.kind.rawValue):\($0.text)" } == [
                "context:line 3", "context:line 4", "removed:line 5", "added:line five", "context:line 6",
                "context:line 7",
            ])
        #expect(hunks[1].lines.last.map { "\($0.kind.rawValue):\($0.text)" } == "added:line 11")
    }

    @Test func binaryBodiesGiveTheFirstDifferingByteWithContext() {
        var old = [UInt8](repeating: 0, count: 100)
        var new = old
        new[70] = 0xff
        old[0] = 0x01
        new[0] = 0x01
        guard case .bytes(let difference) = BodyDiff.compare(old, new + [0x00]) else {
            Issue.record("expected a byte diff")
            return
        }
        #expect(difference.offset == 70)
        #expect(difference.oldSize == 100 && difference.newSize == 101)
        #expect(difference.before.count == FirstDifference.contextSize)
        #expect(difference.oldAfter.first == 0 && difference.newAfter.first == 0xff)
        #expect(difference.oldAfter.count == 30 && difference.newAfter.count == 31)
    }

    @Test func aCutTextNeverSplitsAUTF8Sequence() {
        let text = String(repeating: "é", count: 10)  // 20 bytes
        #expect(UTF8Cut.prefix(text, maxBytes: 5) == "éé…")
        #expect(UTF8Cut.prefix(text, maxBytes: 20) == text)
    }
}
