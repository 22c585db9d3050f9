/// A line-by-line diff of two texts, as hunks with context, for bodies that are text but not both JSON.
public enum LineDiff {
    /// Texts with more lines than this are compared by their first differing byte instead.
    public static let lineLimit = 20_000
    /// After the common first and last lines are set aside, at most this many line pairs are compared.
    public static let comparisonLimit = 4_000_000
    /// Unchanged lines shown around each change.
    public static let contextLines = 2
    /// Lines shown at most, in all hunks together.
    public static let shownLineLimit = 2_000

    public struct Line: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case context, removed, added
        }

        public var kind: Kind
        public var text: String
    }

    public struct Hunk: Sendable, Hashable {
        /// First line of the hunk on each side, counting from 1.
        public var oldStart: Int
        public var newStart: Int
        public var lines: [Line]
    }

    /// The hunks from `old` to `new`, or nil when either is not text (not UTF-8, or holds NUL) or the texts are
    /// too long to compare by line.
    public static func compare(_ old: [UInt8], _ new: [UInt8]) -> [Hunk]? {
        // Lines compare as bytes: Swift's String equality is canonical equivalence, not byte equality.
        guard let before = lines(old), let after = lines(new) else { return nil }
        var prefix = 0
        while prefix < before.count, prefix < after.count, before[prefix] == after[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < before.count - prefix, suffix < after.count - prefix,
            before[before.count - 1 - suffix] == after[after.count - 1 - suffix]
        {
            suffix += 1
        }
        let oldMiddle = Array(before[prefix..<(before.count - suffix)])
        let newMiddle = Array(after[prefix..<(after.count - suffix)])
        guard oldMiddle.count * newMiddle.count <= comparisonLimit else { return nil }
        // Edit script over the middle: a longest common subsequence by dynamic programming.
        let rows = oldMiddle.count
        let columns = newMiddle.count
        var lengths = [Int32](repeating: 0, count: (rows + 1) * (columns + 1))
        if rows > 0, columns > 0 {
            for i in stride(from: rows - 1, through: 0, by: -1) {
                for j in stride(from: columns - 1, through: 0, by: -1) {
                    lengths[i * (columns + 1) + j] =
                        oldMiddle[i] == newMiddle[j]
                        ? lengths[(i + 1) * (columns + 1) + j + 1] + 1
                        : max(lengths[(i + 1) * (columns + 1) + j], lengths[i * (columns + 1) + j + 1])
                }
            }
        }
        var script: [Line] = before[..<prefix].map { Line(kind: .context, text: String(decoding: $0, as: UTF8.self)) }
        var i = 0
        var j = 0
        while i < rows || j < columns {
            if i < rows, j < columns, oldMiddle[i] == newMiddle[j] {
                script.append(Line(kind: .context, text: String(decoding: oldMiddle[i], as: UTF8.self)))
                i += 1
                j += 1
            } else if j < columns,
                // Removals before additions, as diff(1) shows a replaced line.
                i == rows || lengths[i * (columns + 1) + j + 1] > lengths[(i + 1) * (columns + 1) + j]
            {
                script.append(Line(kind: .added, text: String(decoding: newMiddle[j], as: UTF8.self)))
                j += 1
            } else {
                script.append(Line(kind: .removed, text: String(decoding: oldMiddle[i], as: UTF8.self)))
                i += 1
            }
        }
        script += before[(before.count - suffix)...].map {
            Line(kind: .context, text: String(decoding: $0, as: UTF8.self))
        }
        return hunks(script)
    }

    /// Groups an edit script into hunks: each change with `contextLines` around it, nearby changes merged.
    static func hunks(_ script: [Line]) -> [Hunk] {
        var keep = [Bool](repeating: false, count: script.count)
        for (index, line) in script.enumerated() where line.kind != .context {
            for near in max(0, index - contextLines)...min(script.count - 1, index + contextLines) { keep[near] = true }
        }
        var result: [Hunk] = []
        var oldLine = 1
        var newLine = 1
        var shown = 0
        var current: Hunk?
        for (index, line) in script.enumerated() {
            if keep[index], shown < shownLineLimit {
                if current == nil { current = Hunk(oldStart: oldLine, newStart: newLine, lines: []) }
                current!.lines.append(line)
                shown += 1
            } else if let hunk = current {
                result.append(hunk)
                current = nil
            }
            if line.kind != .added { oldLine += 1 }
            if line.kind != .removed { newLine += 1 }
        }
        if let current { result.append(current) }
        return result
    }

    /// The lines of `bytes` (split at LF; a CR before it stays in the line), or nil when it is not text.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else { return nil }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count <= lineLimit else { return nil }
        return lines
    }
}
