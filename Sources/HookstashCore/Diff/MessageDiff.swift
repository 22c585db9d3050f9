/// One side of a comparison: an HTTP message as hookstash stores it — its start line as named fields (a request's
/// method, target and version; an answer's status), its header fields in wire order, and its body bytes.
public struct DiffableMessage: Sendable, Hashable {
    public var startLine: [StartLineField]
    public var headers: HeaderList
    public var body: [UInt8]

    public struct StartLineField: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(startLine: [StartLineField], headers: HeaderList, body: [UInt8]) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// A captured request: method, request-target and version, its headers, and `body` (the decoded body).
    public init(capture: Capture, body: [UInt8]) {
        self.init(
            startLine: [
                .init("method", capture.method), .init("target", capture.target.raw),
                .init("version", capture.httpVersion),
            ],
            headers: capture.headers, body: body)
    }
}

/// What differs between two messages, typed: the start line field by field, the header fields (added, removed,
/// changed, moved, spelled in another case), and the body — by JSON pointer when both bodies are JSON, by line when
/// both are text, else the first differing byte. `Wording` and the inspector present it; the JSON API encodes it.
public struct MessageDiff: Sendable, Hashable {
    public var startLine: [StartLineChange]
    public var headers: [HeaderChange]
    public var body: BodyDiff

    public var isEmpty: Bool { startLine.isEmpty && headers.isEmpty && body == .identical }

    public struct StartLineChange: Sendable, Hashable {
        public var field: String
        public var old: String
        public var new: String
    }

    public struct HeaderChange: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case added, removed, changed
            /// The same field (name and occurrence) stands elsewhere relative to the others.
            case moved
            /// The name is spelled in another case (`content-type` for `Content-Type`).
            case caseChanged = "case_changed"
        }

        public var kind: Kind
        /// The name as the new side spells it (the old side's, for `removed`).
        public var name: String
        public var oldName: String?
        public var oldValue: String?
        public var newValue: String?
        /// Positions (from 0) among each side's fields.
        public var oldIndex: Int?
        public var newIndex: Int?
    }

    /// Compares `old` with `new`. Bounded: bodies are compared by JSON up to `JSONDiff.sizeLimit` and by line up
    /// to `LineDiff.lineLimit` lines; beyond, by their first differing byte.
    public static func compare(_ old: DiffableMessage, _ new: DiffableMessage) -> MessageDiff {
        var startLine: [StartLineChange] = []
        for index in 0..<max(old.startLine.count, new.startLine.count) {
            let before = index < old.startLine.count ? old.startLine[index] : nil
            let after = index < new.startLine.count ? new.startLine[index] : nil
            if before == nil || after == nil || !before!.value.utf8.elementsEqual(after!.value.utf8) {
                startLine.append(
                    StartLineChange(
                        field: after?.name ?? before?.name ?? "", old: before?.value ?? "", new: after?.value ?? ""))
            }
        }
        return MessageDiff(
            startLine: startLine, headers: headerChanges(old.headers, new.headers),
            body: BodyDiff.compare(old.body, new.body))
    }

    /// Pairs the i-th field of a name on one side with the i-th of that name (case-insensitively) on the other.
    static func headerChanges(_ old: HeaderList, _ new: HeaderList) -> [HeaderChange] {
        // Keys are bytes, not `String`s, whose equality is canonical equivalence rather than byte equality.
        func keys(_ list: HeaderList) -> [[UInt8]] {
            var seen: [[UInt8]: Int] = [:]
            return list.fields.map { field in
                let name = field.name.utf8.map { (0x41...0x5a).contains($0) ? $0 | 0x20 : $0 }
                let occurrence = seen[name, default: 0]
                seen[name] = occurrence + 1
                return name + [0] + Array(String(occurrence).utf8)
            }
        }
        let oldKeys = keys(old)
        let newKeys = keys(new)
        let newIndexByKey = Dictionary(uniqueKeysWithValues: newKeys.enumerated().map { ($1, $0) })
        let oldIndexByKey = Dictionary(uniqueKeysWithValues: oldKeys.enumerated().map { ($1, $0) })
        // Fields on both sides, in old order, with their new positions: those off the longest increasing run moved.
        let paired = oldKeys.enumerated().compactMap { index, key in newIndexByKey[key].map { (index, $0) } }
        let stay = Set(LongestIncreasingRun.indices(paired.map(\.1)).map { paired[$0].0 })
        var changes: [HeaderChange] = []
        for (oldIndex, key) in oldKeys.enumerated() {
            let before = old.fields[oldIndex]
            guard let newIndex = newIndexByKey[key] else {
                changes.append(
                    HeaderChange(kind: .removed, name: before.name, oldValue: before.value, oldIndex: oldIndex))
                continue
            }
            let after = new.fields[newIndex]
            if !after.value.utf8.elementsEqual(before.value.utf8) {
                changes.append(
                    HeaderChange(
                        kind: .changed, name: after.name, oldName: before.name, oldValue: before.value,
                        newValue: after.value, oldIndex: oldIndex, newIndex: newIndex))
            }
            if !after.name.utf8.elementsEqual(before.name.utf8) {
                changes.append(
                    HeaderChange(
                        kind: .caseChanged, name: after.name, oldName: before.name, oldIndex: oldIndex,
                        newIndex: newIndex))
            }
            if !stay.contains(oldIndex) {
                changes.append(
                    HeaderChange(kind: .moved, name: after.name, oldIndex: oldIndex, newIndex: newIndex))
            }
        }
        for (newIndex, key) in newKeys.enumerated() where oldIndexByKey[key] == nil {
            let after = new.fields[newIndex]
            changes.append(HeaderChange(kind: .added, name: after.name, newValue: after.value, newIndex: newIndex))
        }
        return changes
    }
}

/// How two bodies differ.
public enum BodyDiff: Sendable, Hashable {
    case identical
    /// Both are JSON: the changes by pointer, in document order (`truncated`: more than `JSONDiff.changeLimit`).
    case json(changes: [JSONChange], truncated: Bool)
    /// Both are text (UTF-8 without NUL): the differing lines, with their context.
    case lines(hunks: [LineDiff.Hunk])
    /// Otherwise (or too large for the above): where the bytes first differ.
    case bytes(FirstDifference)

    public static func compare(_ old: [UInt8], _ new: [UInt8]) -> BodyDiff {
        if old == new { return .identical }
        if let changes = JSONDiff.compare(old, new) {
            // Two JSON documents equal as values but not as bytes (whitespace, escapes) differ in their bytes.
            if !changes.changes.isEmpty { return .json(changes: changes.changes, truncated: changes.truncated) }
        } else if let hunks = LineDiff.compare(old, new) {
            return .lines(hunks: hunks)
        }
        return .bytes(FirstDifference(old, new))
    }
}

/// Where two byte strings first differ, with the bytes around that offset on each side.
public struct FirstDifference: Sendable, Hashable {
    /// The first offset at which the bytes differ (or where the shorter one ends).
    public var offset: Int
    public var oldSize: Int
    public var newSize: Int
    /// Up to `contextSize` bytes before the offset (the same on both sides) …
    public var before: [UInt8]
    /// … and up to `contextSize` bytes from it, on each side.
    public var oldAfter: [UInt8]
    public var newAfter: [UInt8]

    public static let contextSize = 32

    public init(_ old: [UInt8], _ new: [UInt8]) {
        var offset = 0
        let common = min(old.count, new.count)
        while offset < common, old[offset] == new[offset] { offset += 1 }
        self.offset = offset
        self.oldSize = old.count
        self.newSize = new.count
        self.before = Array(old[max(0, offset - Self.contextSize)..<offset])
        self.oldAfter = Array(old[offset..<min(old.count, offset + Self.contextSize)])
        self.newAfter = Array(new[offset..<min(new.count, offset + Self.contextSize)])
    }
}

/// The longest run of positions whose values increase, as indices into the input (patience-style, O(n log n)).
enum LongestIncreasingRun {
    static func indices(_ values: [Int]) -> [Int] {
        var tails: [Int] = []  // index into values of the smallest tail of each run length
        var previous = [Int](repeating: -1, count: values.count)
        for (index, value) in values.enumerated() {
            var low = 0
            var high = tails.count
            while low < high {
                let middle = (low + high) / 2
                if values[tails[middle]] < value { low = middle + 1 } else { high = middle }
            }
            if low > 0 { previous[index] = tails[low - 1] }
            if low == tails.count { tails.append(index) } else { tails[low] = index }
        }
        var run: [Int] = []
        var cursor = tails.last ?? -1
        while cursor >= 0 {
            run.append(cursor)
            cursor = previous[cursor]
        }
        return run.reversed()
    }
}
