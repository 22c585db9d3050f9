/// One difference between two JSON documents, at an RFC 6901 pointer (`/data/object/amount`, `""` for the root).
public struct JSONChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case added, removed, changed
    }

    public var kind: Kind
    public var pointer: String
    /// The old and new values as compact JSON (at most `JSONDiff.valueTextLimit` bytes, cut with `…`).
    public var old: String?
    public var new: String?

    public init(kind: Kind, pointer: String, old: String? = nil, new: String? = nil) {
        self.kind = kind
        self.pointer = pointer
        self.old = old
        self.new = new
    }
}

/// Compares two JSON documents value by value: object members by key (a repeated key by its occurrence), arrays
/// by index, literals (numbers as written: `1.0` and `1` differ) and strings by value.
public enum JSONDiff {
    /// Bodies larger than this are not parsed for a diff.
    public static let sizeLimit = 1 << 20
    /// Changes listed at most; beyond, the diff says it was cut.
    public static let changeLimit = 1000
    public static let valueTextLimit = 1024

    /// The changes from `old` to `new`, or nil when either is not JSON (or is too large).
    public static func compare(_ old: [UInt8], _ new: [UInt8]) -> (changes: [JSONChange], truncated: Bool)? {
        guard let before = JSONValue.parse(old, sizeLimit: sizeLimit),
            let after = JSONValue.parse(new, sizeLimit: sizeLimit)
        else { return nil }
        var collector = Collector()
        collector.compare(before, after, pointer: "")
        return (collector.changes, collector.truncated)
    }

    private struct Collector {
        var changes: [JSONChange] = []
        var truncated = false

        mutating func add(_ change: JSONChange) {
            guard changes.count < JSONDiff.changeLimit else {
                truncated = true
                return
            }
            changes.append(change)
        }

        mutating func compare(_ old: JSONValue, _ new: JSONValue, pointer: String) {
            guard !truncated else { return }
            switch (old, new) {
            case (.object(let before), .object(let after)):
                let beforeKeys = Self.occurrenceKeys(before.map(\.key))
                let afterKeys = Self.occurrenceKeys(after.map(\.key))
                let afterIndex = Dictionary(uniqueKeysWithValues: afterKeys.enumerated().map { ($1, $0) })
                let beforeSet = Set(beforeKeys)
                for (index, key) in beforeKeys.enumerated() {
                    let member = before[index]
                    let path = pointer + "/" + JSONDiff.escapePointerToken(member.key)
                    if let other = afterIndex[key] {
                        compare(member.value, after[other].value, pointer: path)
                    } else {
                        add(JSONChange(kind: .removed, pointer: path, old: JSONDiff.compactText(member.value)))
                    }
                }
                for (index, key) in afterKeys.enumerated() where !beforeSet.contains(key) {
                    let member = after[index]
                    add(
                        JSONChange(
                            kind: .added, pointer: pointer + "/" + JSONDiff.escapePointerToken(member.key),
                            new: JSONDiff.compactText(member.value)))
                }
            case (.array(let before), .array(let after)):
                for index in 0..<max(before.count, after.count) {
                    let path = pointer + "/\(index)"
                    if index >= after.count {
                        add(JSONChange(kind: .removed, pointer: path, old: JSONDiff.compactText(before[index])))
                    } else if index >= before.count {
                        add(JSONChange(kind: .added, pointer: path, new: JSONDiff.compactText(after[index])))
                    } else {
                        compare(before[index], after[index], pointer: path)
                    }
                }
            // By bytes: Swift's String equality would call canonically equivalent spellings ("é", "e\u{301}") equal.
            case (.string(let before), .string(let after)) where before.utf8.elementsEqual(after.utf8):
                return
            case (.literal(let before), .literal(let after)) where before.utf8.elementsEqual(after.utf8):
                return
            default:
                add(
                    JSONChange(
                        kind: .changed, pointer: pointer, old: JSONDiff.compactText(old),
                        new: JSONDiff.compactText(new)))
            }
        }

        /// `key`'s bytes and its occurrence among equal keys, so a repeated key pairs with its own repetition. Bytes,
        /// not `String`: a dictionary of strings would merge canonically equivalent keys.
        static func occurrenceKeys(_ keys: [String]) -> [[UInt8]] {
            var seen: [[UInt8]: Int] = [:]
            return keys.map { key in
                let bytes = Array(key.utf8)
                let occurrence = seen[bytes, default: 0]
                seen[bytes] = occurrence + 1
                return bytes + [0] + Array(String(occurrence).utf8)
            }
        }
    }

    /// A pointer token: `~` as `~0`, `/` as `~1` (RFC 6901).
    public static func escapePointerToken(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var out = ""
        for scalar in token.unicodeScalars {
            switch scalar {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `value` as compact JSON, cut at `valueTextLimit` bytes (at a UTF-8 boundary, ending in `…`).
    public static func compactText(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return UTF8Cut.prefix(out, maxBytes: valueTextLimit)
    }

    private static func write(_ value: JSONValue, into out: inout String) {
        guard out.utf8.count <= valueTextLimit else { return }
        switch value {
        case .literal(let text):
            out += text
        case .string(let text):
            out += "\""
            JSONText.appendEscaped(text, to: &out)
            out += "\""
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                out += "\""
                JSONText.appendEscaped(member.key, to: &out)
                out += "\":"
                write(member.value, into: &out)
            }
            out += "}"
        }
    }
}
