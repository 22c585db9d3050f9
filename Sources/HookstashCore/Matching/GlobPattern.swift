/// A glob over bytes: `*` any run of bytes (empty included), `?` exactly one byte, `\*` `\?` `\\` the literal
/// character. A backslash before anything else, or at the end, is a literal backslash. Matched over the UTF-8 bytes
/// of the text (so `?` is one byte, not one character), in time linear in the text for a given pattern: two
/// pointers with only the last star saved, never recursion, so `*a*a*a*a*b` against megabytes of `a` stays cheap.
/// `caseInsensitive` folds ASCII letters only.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case byte(UInt8)
        case anyByte
        case anyRun
    }

    /// The pattern as written.
    public let description: String
    public let caseInsensitive: Bool
    let tokens: [Token]

    public init(_ pattern: String, caseInsensitive: Bool = false) {
        description = pattern
        self.caseInsensitive = caseInsensitive
        var tokens: [Token] = []
        let bytes = Array(pattern.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\"):
                if index + 1 < bytes.count,
                    [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "\\")].contains(
                        bytes[index + 1])
                {
                    tokens.append(.byte(Self.folded(bytes[index + 1], caseInsensitive)))
                    index += 2
                    continue
                }
                tokens.append(.byte(byte))
            case UInt8(ascii: "*"):
                // Consecutive stars match what one star matches.
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case UInt8(ascii: "?"):
                tokens.append(.anyByte)
            default:
                tokens.append(.byte(Self.folded(byte, caseInsensitive)))
            }
            index += 1
        }
        self.tokens = tokens
    }

    /// The pattern matching exactly `text` (its `*`, `?` and `\` escaped).
    public static func literal(_ text: String, caseInsensitive: Bool = false) -> GlobPattern {
        var escaped = ""
        for scalar in text.unicodeScalars {
            if scalar == "*" || scalar == "?" || scalar == "\\" { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(scalar)
        }
        return GlobPattern(escaped, caseInsensitive: caseInsensitive)
    }

    /// Whether the pattern has no `*` or `?`: it matches one text only.
    public var isLiteral: Bool { !tokens.contains { $0 == .anyRun || $0 == .anyByte } }

    public func matches(_ text: String) -> Bool {
        var steps = 0
        return matches(Array(text.utf8), steps: &steps)
    }

    public func matches(_ text: some Collection<UInt8>) -> Bool {
        var steps = 0
        return matches(Array(text), steps: &steps)
    }

    /// The match, counting in `steps` each comparison of a pattern token with a text byte (tests bound it).
    package func matches(_ text: [UInt8], steps: inout Int) -> Bool {
        var p = 0
        var t = 0
        // Where the last star was and the text position it currently stands for the end of.
        var starToken = -1
        var starText = 0
        while t < text.count {
            steps += 1
            if p < tokens.count {
                switch tokens[p] {
                case .anyRun:
                    starToken = p
                    starText = t
                    p += 1
                    continue
                case .anyByte:
                    p += 1
                    t += 1
                    continue
                case .byte(let wanted):
                    if wanted == Self.folded(text[t], caseInsensitive) {
                        p += 1
                        t += 1
                        continue
                    }
                }
            }
            // Mismatch (or pattern exhausted): let the last star swallow one more byte and retry after it.
            guard starToken >= 0 else { return false }
            starText += 1
            t = starText
            p = starToken + 1
        }
        while p < tokens.count, tokens[p] == .anyRun { p += 1 }
        return p == tokens.count
    }

    @inline(__always)
    static func folded(_ byte: UInt8, _ caseInsensitive: Bool) -> UInt8 {
        guard caseInsensitive, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { return byte }
        return byte | 0x20
    }
}

extension GlobPattern {
    public static func == (lhs: GlobPattern, rhs: GlobPattern) -> Bool {
        lhs.description == rhs.description && lhs.caseInsensitive == rhs.caseInsensitive
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
        hasher.combine(caseInsensitive)
    }
}
