import Foundation
import HookstashCore
import HookstashInspector

/// Diffs as `hookstash diff` prints them. Every captured value goes through `Terminal.field` (one line, controls
/// visible): a header value or body line could otherwise forge lines of the diff or drive the terminal.
enum DiffText {
    static func render(_ diff: MessageDiff) -> String {
        guard !diff.isEmpty else { return "identical" }
        let field = Terminal.field
        var lines: [String] = []
        for change in diff.startLine {
            lines.append("\(change.field): \(field(change.old)) → \(field(change.new))")
        }
        for change in diff.headers {
            let name = field(change.name)
            switch change.kind {
            case .added: lines.append("+ \(name): \(field(change.newValue ?? ""))")
            case .removed: lines.append("- \(name): \(field(change.oldValue ?? ""))")
            case .changed:
                lines.append("~ \(name): \(field(change.oldValue ?? "")) → \(field(change.newValue ?? ""))")
            case .moved:
                lines.append("↕ \(name): moved from field \(position(change.oldIndex)) to \(position(change.newIndex))")
            case .caseChanged: lines.append("~ \(field(change.oldName ?? "")) → \(name) (the name's case)")
            }
        }
        if diff.body != .identical {
            lines.append("body:")
            lines.append(render(diff.body))
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ body: BodyDiff) -> String {
        let field = Terminal.field
        switch body {
        case .identical:
            return "  identical"
        case .json(let changes, let truncated):
            var lines = changes.map { change -> String in
                let pointer = change.pointer.isEmpty ? "(root)" : field(change.pointer)
                switch change.kind {
                case .added: return "  + \(pointer) = \(field(change.new ?? ""))"
                case .removed: return "  - \(pointer) = \(field(change.old ?? ""))"
                case .changed: return "  ~ \(pointer): \(field(change.old ?? "")) → \(field(change.new ?? ""))"
                }
            }
            if truncated { lines.append("  … more changes than shown") }
            return lines.joined(separator: "\n")
        case .lines(let hunks):
            return hunks.map { hunk in
                var lines = ["  @@ line \(hunk.oldStart) → line \(hunk.newStart) @@"]
                for line in hunk.lines {
                    let mark =
                        switch line.kind {
                        case .context: " "
                        case .removed: "-"
                        case .added: "+"
                        }
                    lines.append("  \(mark)\(field(line.text))")
                }
                return lines.joined(separator: "\n")
            }.joined(separator: "\n")
        case .bytes(let difference):
            return render(difference)
        }
    }

    static func render(_ difference: FirstDifference, old: String = "old", new: String = "new") -> String {
        func text(_ bytes: [UInt8]) -> String { Terminal.field(String(decoding: bytes, as: UTF8.self)) }
        let width = max(old.count, new.count, "before".count) + 1
        func label(_ name: String) -> String { (name + ":").padding(toLength: width, withPad: " ", startingAt: 0) }
        return """
              first difference at byte \(difference.offset) (sizes \(difference.oldSize) and \(difference.newSize))
              \(label("before")) …\(text(difference.before))
              \(label(old)) \(text(difference.oldAfter))…
              \(label(new)) \(text(difference.newAfter))…
            """
    }

    static func render(_ diff: SignedBodyDiff) -> String {
        """
        \(Terminal.field(Wording.commandLine.sentence(diff.finding)))
          received \(diff.receivedSize) bytes, signed \(diff.signedSize) bytes
        \(render(diff.difference, old: "received", new: "signed"))
        """
    }

    private static func position(_ index: Int?) -> String {
        index.map { String($0 + 1) } ?? "?"
    }
}
