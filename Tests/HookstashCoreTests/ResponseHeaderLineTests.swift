import Foundation
import HookstashCore
import Testing

/// The one check for configured response headers (`--response-header`, a config file's `headers`): a token name,
/// one line, and nothing the listener computes itself.
@Suite struct ResponseHeaderLineTests {
    @Test(arguments: [
        ("X-Test: yes", "X-Test", "yes"),
        ("  X-Spaced  :   padded value  ", "X-Spaced", "padded value"),
        ("X-Empty:", "X-Empty", ""),
        ("x!#$%&'*+-.^_`|~9: tchar", "x!#$%&'*+-.^_`|~9", "tchar"),
        ("X-Url: http://a/b?c=d:e", "X-Url", "http://a/b?c=d:e"),
        ("X-Unicode: caf\u{e9}", "X-Unicode", "caf\u{e9}"),
    ])
    func validHeadersParse(_ text: String, _ name: String, _ value: String) throws {
        let parsed = try ResponseHeaderLine.parse(text)
        #expect(parsed.name == name)
        #expect(parsed.value == value)
    }

    @Test(arguments: [
        ("NoColon", ResponseHeaderLine.Problem.notNameColonValue),
        (": value", .notNameColonValue),
        ("   : value", .notNameColonValue),
        ("X Space: v", .nameNotAToken(name: "X Space", offset: 1)),
        ("X(paren): v", .nameNotAToken(name: "X(paren)", offset: 1)),
        ("X\"Quote: v", .nameNotAToken(name: "X\"Quote", offset: 1)),
        ("X\u{7f}Del: v", .nameNotAToken(name: "X\u{7f}Del", offset: 1)),
        ("X\u{1b}Esc: v", .nameNotAToken(name: "X\u{1b}Esc", offset: 1)),
        ("Caf\u{e9}: v", .nameNotAToken(name: "Caf\u{e9}", offset: 3)),
        // U+0301 after a letter is one Character with it; the byte check still sees 0xCC.
        ("Xe\u{301}: v", .nameNotAToken(name: "Xe\u{301}", offset: 2)),
        ("X-A: v\r\nX-Injected: 1", .lineBreak(LineBreakingByte(kind: .carriageReturn, offset: 6))),
        ("X-A: v\nX-Injected: 1", .lineBreak(LineBreakingByte(kind: .lineFeed, offset: 6))),
        ("X-A: v\u{0}tail", .lineBreak(LineBreakingByte(kind: .nul, offset: 6))),
        ("X\r\n: v", .lineBreak(LineBreakingByte(kind: .carriageReturn, offset: 1))),
        ("Content-Length: 5", .computedByListener(name: "Content-Length")),
        ("content-length: 0", .computedByListener(name: "Content-Length")),
        ("Transfer-Encoding: chunked", .computedByListener(name: "Transfer-Encoding")),
        ("CONNECTION: keep-alive", .computedByListener(name: "Connection")),
        ("Keep-Alive: timeout=5", .computedByListener(name: "Keep-Alive")),
        ("Proxy-Connection: close", .computedByListener(name: "Proxy-Connection")),
        ("TE: trailers", .computedByListener(name: "TE")),
        ("Trailer: X-Sum", .computedByListener(name: "Trailer")),
        ("Upgrade: h2c", .computedByListener(name: "Upgrade")),
    ])
    func invalidHeadersAreRefusedWithTheirProblem(_ text: String, _ problem: ResponseHeaderLine.Problem) {
        #expect(throws: problem) { try ResponseHeaderLine.parse(text) }
    }

    @Test func tokenBytesAreExactlyRFC9110Tchar() {
        let tchar = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPFieldName.isTokenByte(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test(arguments: [
        ("X Bad: v", ResponseHeaderLine.Problem.nameNotAToken(name: "X Bad", offset: 1)),
        ("Content-Length: 10", .computedByListener(name: "Content-Length")),
        ("Connection: close", .computedByListener(name: "Connection")),
        ("X-A: v\\r\\nX-B: 1", .lineBreak(LineBreakingByte(kind: .carriageReturn, offset: 6))),
    ])
    func configFileRefusesTheHeaderAndNamesItsLine(_ header: String, _ problem: ResponseHeaderLine.Problem) {
        let text =
            "[[endpoint]]\npath = \"/a\"\n[endpoint.response]\nstatus = 200\nheaders = [\"X-Fine: 1\", \"\(header)\"]\n"
        do {
            _ = try ConfigurationFile.parse(text) { _ in nil }
            Issue.record("\(header) was accepted")
        } catch {
            #expect(error.line == 5, "\(error)")
            #expect(error.responseHeaderProblem == problem, "\(error)")
            #expect(error.description.hasPrefix("line 5: "), "\(error)")
        }
    }

    @Test func configFileKeepsValidHeaders() throws {
        let text = "[[endpoint]]\npath = \"/a\"\n[endpoint.response]\nheaders = [\"X-One: 1\", \"x-two!:  two \"]\n"
        let file = try ConfigurationFile.parse(text) { _ in nil }
        let headers = try #require(file.endpoints.first?.response).headers
        #expect(headers.map(\.name) == ["X-One", "x-two!"])
        #expect(headers.map(\.value) == ["1", "two"])
    }
}
