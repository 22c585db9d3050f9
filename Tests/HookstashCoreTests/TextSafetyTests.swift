import Foundation
import HookstashCore
import Testing

/// Hostile values: grapheme clusters that hide a markup or quote byte, `"\r\n"` as one `Character`, every single
/// byte, bidi controls and invalid UTF-8.
enum HostileCorpus {
    static let texts: [(name: String, text: String)] = [
        ("U+0600 <", "\u{600}<"),
        ("\" U+0301", "\"\u{301}"),
        ("' U+0301", "'\u{301}"),
        ("CR LF", "\r\n"),
        ("prepend U+0600 before <", "\u{600}<b id=injected>"),
        ("double quote + U+0301", "\"\u{301} onmouseover=x \"\u{301}"),
        ("single quote + U+0301", "'\u{301}$(touch /tmp/pwned)'\u{301}"),
        ("< + U+0338 (canonically ≮)", "<\u{338}script>"),
        ("ampersand + U+0301", "&\u{301}lt;"),
        ("CR LF as one Character", "a\r\nX-Injected: 1"),
        ("bidi overrides", "\u{202e}txt.exe\u{202c} \u{2066}x\u{2069} \u{202a}\u{202b}\u{202d}\u{2067}\u{2068}"),
        ("ESC sequence", "\u{1b}]0;title\u{7}\u{1b}[2J"),
        ("C1 CSI and NEL", "\u{9b}31m\u{85}\u{80}\u{9f}"),
    ]
    static let invalidUTF8: [(name: String, bytes: [UInt8])] = [
        ("lone continuation byte before <", [0x80, 0x3c, 0x69]),
        ("truncated sequence before <", [0xe0, 0x3c, 0x27]),
        ("overlong slash and 0xFF", [0xc0, 0xaf, 0xff, 0x22]),
        ("UTF-8 surrogate", [0xed, 0xa0, 0x80, 0x3e]),
    ]
    static let singleBytes: [(name: String, bytes: [UInt8])] = (0...255).map { byte in
        ("byte 0x" + String(byte, radix: 16), [UInt8(byte)])
    }
    static let named: [(name: String, bytes: [UInt8])] =
        texts.map { ($0.name, Array($0.text.utf8)) } + invalidUTF8 + singleBytes
}

@Suite struct HTMLEscapingTests {
    @Test(arguments: [
        ("\u{600}<b id=injected>", "\u{600}&lt;b id=injected&gt;"),
        ("\"\u{301}", "&quot;\u{301}"),
        ("'\u{301}", "&#39;\u{301}"),
        ("<\u{338}", "&lt;\u{338}"),
        ("a & b", "a &amp; b"),
        ("plain text, ünïcode", "plain text, ünïcode"),
    ])
    func escapesMarkupBytesWhateverCombinesWithThem(input: String, expected: String) {
        #expect(HTMLEscaping.escape(input) == expected)
    }

    @Test func noCorpusValueLeavesAMarkupByteAndNothingIsLost() {
        for (name, bytes) in HostileCorpus.named {
            let escaped = Array(HTMLEscaping.escape(bytes).utf8)
            for byte in [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'")] {
                #expect(!escaped.contains(byte), "\(name): raw \(Character(Unicode.Scalar(byte)))")
            }
            // Undoing the five references gives the input as text (invalid UTF-8 as U+FFFD).
            #expect(Self.unescape(escaped) == Array(String(decoding: bytes, as: UTF8.self).utf8), "\(name)")
        }
    }

    /// The five references back to their bytes, comparing bytes (`String.replacingOccurrences` compares
    /// `Character`s, and `&lt;` before U+0338 is not found by it).
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        let references: [(String, UInt8)] = [
            ("&lt;", UInt8(ascii: "<")), ("&gt;", UInt8(ascii: ">")), ("&quot;", UInt8(ascii: "\"")),
            ("&#39;", UInt8(ascii: "'")), ("&amp;", UInt8(ascii: "&")),
        ]
        var out: [UInt8] = []
        var rest = bytes[...]
        while let first = rest.first {
            if first == UInt8(ascii: "&"),
                let (reference, byte) = references.first(where: { rest.starts(with: $0.0.utf8) })
            {
                out.append(byte)
                rest = rest.dropFirst(reference.utf8.count)
            } else {
                out.append(first)
                rest = rest.dropFirst()
            }
        }
        return out
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        #expect(HTMLEscaping.escape([0xe0, 0x3c, 0xff]) == "\u{FFFD}&lt;\u{FFFD}")
    }
}

@Suite struct ShellQuotingTests {
    /// What a POSIX shell makes of a word built only of `'…'` runs and `\'`.
    static func unquote(_ word: String) -> [UInt8]? {
        var bytes = Array(word.utf8)[...]
        var out: [UInt8] = []
        while let first = bytes.first {
            if first == UInt8(ascii: "'") {
                bytes = bytes.dropFirst()
                guard let close = bytes.firstIndex(of: UInt8(ascii: "'")) else { return nil }
                out += bytes[..<close]
                bytes = bytes[(close + 1)...]
            } else if bytes.starts(with: Array("\\'".utf8)) {
                out.append(UInt8(ascii: "'"))
                bytes = bytes.dropFirst(2)
            } else {
                return nil
            }
        }
        return out
    }

    @Test(arguments: [
        ("it's", "'it'\\''s'"),
        ("$(id) `id` \\ \"", "'$(id) `id` \\ \"'"),
        ("", "''"),
    ])
    func plainASCIIGoesInSingleQuotes(input: String, expected: String) {
        #expect(ShellQuoting.word(input) == expected)
    }

    @Test func everyCorpusValueBecomesPrintableASCIIThatGivesItsBytesBack() throws {
        for (name, bytes) in HostileCorpus.named {
            let word = ShellQuoting.word(bytes)
            #expect(word.utf8.allSatisfy { (0x20...0x7e).contains($0) }, "\(name): \(word)")
            if ShellQuoting.isPlain(bytes) {
                #expect(Self.unquote(word) == bytes, "\(name)")
            } else {
                // "$(printf '%s' 'BASE64' | base64 -d)"
                let prefix = "\"$(printf '%s' '"
                let suffix = "' | base64 -d)\""
                #expect(word.hasPrefix(prefix) && word.hasSuffix(suffix), "\(name): \(word)")
                let encoded = String(word.dropFirst(prefix.count).dropLast(suffix.count))
                #expect(Data(base64Encoded: encoded).map(Array.init) == bytes, "\(name)")
            }
        }
    }

    @Test func aQuoteWithACombiningMarkIsNotPlain() {
        // U+0301 is not ASCII: the value goes through base64, and its 0x27 byte never meets the shell.
        #expect(!ShellQuoting.isPlain("'\u{301}".utf8))
        #expect(ShellQuoting.isPlain("a\nb".utf8, allowingLineFeeds: true))
        #expect(!ShellQuoting.isPlain("a\r\nb".utf8, allowingLineFeeds: true))
    }
}

@Suite struct TerminalTextTests {
    /// Independent of the sanitizer: the UTF-8 of a C0 control (except those allowed), DEL, a C1 control or a bidi
    /// control.
    static func controlBytes(_ text: String, allowingLineBreaks: Bool) -> [String] {
        var found: [String] = []
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte < 0x20, !(allowingLineBreaks && (byte == 0x0a || byte == 0x09)) { found.append("C0 \(byte)") }
            if byte == 0x7f { found.append("DEL") }
            if byte == 0xc2, index + 1 < bytes.count, (0x80...0x9f).contains(bytes[index + 1]) { found.append("C1") }
            if byte == 0xe2, index + 2 < bytes.count {
                let (second, third) = (bytes[index + 1], bytes[index + 2])
                if second == 0x80, (0xaa...0xae).contains(third) { found.append("bidi") }
                if second == 0x81, (0xa6...0xa9).contains(third) { found.append("bidi") }
            }
        }
        return found
    }

    @Test(arguments: [
        ("\u{1b}[2J", "\\x1b[2J"),
        ("a\r\nb", "a\\x0d\\x0ab"),
        ("\u{7f}\u{0}", "\\x7f\\x00"),
        ("\u{9b}31m\u{85}", "\\u{9b}31m\\u{85}"),
        ("\u{202e}gpj.exe", "\\u{202e}gpj.exe"),
        ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
        ("e\u{301}, 日本", "e\u{301}, 日本"),
    ])
    func controlsBecomeVisibleEscapes(input: String, expected: String) {
        #expect(TerminalText.sanitized(input) == expected)
    }

    @Test func lineBreaksAreKeptOnlyWhereAllowed() {
        #expect(TerminalText.sanitized("a\nb\tc\r", allowing: .lineBreaks) == "a\nb\tc\\x0d")
        #expect(TerminalText.sanitized("a\nb\tc", allowing: []) == "a\\x0ab\\x09c")
    }

    @Test func noCorpusValueKeepsAControl() {
        for (name, bytes) in HostileCorpus.named {
            #expect(Self.controlBytes(TerminalText.sanitized(bytes), allowingLineBreaks: false).isEmpty, "\(name)")
            #expect(
                Self.controlBytes(TerminalText.sanitized(bytes, allowing: .lineBreaks), allowingLineBreaks: true)
                    .isEmpty, "\(name)")
        }
    }

    @Test func jsonKeepsItsValueButLosesItsControls() throws {
        let value = "x\u{9b}31m\u{202e}y\u{7f}\u{1b}"
        let encoded = try JSONEncoder().encode([value])
        let safe = TerminalText.jsonEscapingControls(encoded)
        #expect(Self.controlBytes(String(decoding: safe, as: UTF8.self), allowingLineBreaks: false).isEmpty)
        #expect(try JSONDecoder().decode([String].self, from: Data(safe)) == [value])
    }
}

@Suite struct LineBreakingByteTests {
    @Test(arguments: [
        ("a\r\nX-Injected: 1", LineBreakingByte(kind: .carriageReturn, offset: 1)),
        ("\r\n", LineBreakingByte(kind: .carriageReturn, offset: 0)),
        ("é\nb", LineBreakingByte(kind: .lineFeed, offset: 2)),
        ("a\u{0}b", LineBreakingByte(kind: .nul, offset: 1)),
    ])
    func findsTheFirstLineBreakingByte(input: String, expected: LineBreakingByte) {
        #expect(LineBreakingByte.first(in: input) == expected)
        #expect(throws: expected) { try LineBreakingByte.check(input) }
    }

    @Test func everySingleByteButCRLFAndNULPasses() {
        for (name, bytes) in HostileCorpus.named where bytes.count == 1 {
            let flagged = LineBreakingByte.first(in: bytes) != nil
            #expect(flagged == [0x00, 0x0a, 0x0d].contains(bytes[0]), "\(name)")
        }
        #expect(LineBreakingByte.first(in: "\u{600}<'\u{301}\u{202e}") == nil)
    }
}
