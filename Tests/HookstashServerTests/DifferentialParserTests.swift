import Foundation
import Testing

@testable import HookstashServer

/// The capture parser against llhttp (NIOHTTP1's decoder, in this test target only): over a hand-written
/// smuggling corpus (and, in `FramingFuzzTests`, mutated inputs), both find the same requests (method, target, headers, decoded body) in
/// the same order and make the same accept/reject decision, or the parser is stricter where
/// `ParserHarness.deliberateStrictness` says so.
@Suite struct DifferentialParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var stream: String
        /// Requests the parser completes.
        var accepted: Int
        /// The parser's verdict on what follows them; nil: the stream ends cleanly (or mid-request).
        var problem: HTTPRequestProblem?

        var testDescription: String { name }
    }

    static let post = "POST /s HTTP/1.1\r\nHost: h\r\n"
    static let next = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"

    static let corpus: [Case] = [
        // CL.TE and TE.CL: both headers are refused, whichever comes first.
        Case(
            name: "CL.TE", stream: post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG" + next,
            accepted: 0, problem: .contentLengthWithTransferEncoding),
        Case(
            name: "TE.CL",
            stream: post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
            accepted: 0, problem: .contentLengthWithTransferEncoding),
        // An empty Transfer-Encoding beside Content-Length: llhttp frames by the length, the parser refuses
        // (found by FramingFuzzTests; listed as deliberate strictness).
        Case(
            name: "empty TE with CL", stream: post + "Transfer-Encoding:\r\nContent-Length: 3\r\n\r\nabc" + next,
            accepted: 0, problem: .contentLengthWithTransferEncoding),
        // TE.TE obfuscations.
        Case(
            name: "xchunked", stream: post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", accepted: 0,
            problem: .unsupportedTransferEncoding),
        Case(
            name: "chunked, identity", stream: post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            accepted: 0, problem: .unsupportedTransferEncoding),
        Case(
            name: "TE tab before value", stream: post + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n" + next,
            accepted: 2),
        Case(
            name: "TE space before colon", stream: post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            accepted: 0, problem: .invalidHeaderName),
        Case(
            name: "TE leading space (fold)", stream: post + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            accepted: 0, problem: .obsoleteLineFolding),
        Case(
            name: "TE vertical tab", stream: post + "Transfer-Encoding:\u{0B}chunked\r\n\r\n0\r\n\r\n", accepted: 0,
            problem: .invalidHeaderValue),
        Case(
            name: "TE chunked twice in two fields",
            stream: post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", accepted: 0,
            problem: .unsupportedTransferEncoding),
        Case(
            name: "TE mixed case", stream: post + "transfer-encoding: ChUnKeD\r\n\r\n1\r\nx\r\n0\r\n\r\n" + next,
            accepted: 2),
        Case(
            name: "TE gzip, chunked", stream: post + "Transfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
            accepted: 1),
        // Content-Length.
        Case(
            name: "duplicate CL, different", stream: post + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            accepted: 0, problem: .duplicateContentLength),
        Case(
            name: "duplicate CL, equal", stream: post + "Content-Length: 2\r\nContent-Length: 2\r\n\r\nab",
            accepted: 0, problem: .duplicateContentLength),
        Case(
            name: "CL list", stream: post + "Content-Length: 2, 2\r\n\r\nab", accepted: 0,
            problem: .invalidContentLength),
        Case(
            name: "signed CL +", stream: post + "Content-Length: +2\r\n\r\nab", accepted: 0,
            problem: .invalidContentLength),
        Case(
            name: "signed CL -", stream: post + "Content-Length: -1\r\n\r\n", accepted: 0,
            problem: .invalidContentLength),
        Case(
            name: "CL hex", stream: post + "Content-Length: 0x2\r\n\r\nab", accepted: 0, problem: .invalidContentLength),
        Case(
            name: "CL 20 digits", stream: post + "Content-Length: 99999999999999999999\r\n\r\n", accepted: 0,
            problem: .invalidContentLength),
        Case(name: "CL with spaces", stream: post + "Content-Length:  2 \r\n\r\nab" + next, accepted: 2),
        // NUL, bare CR, bare LF.
        Case(name: "NUL in value", stream: post + "X: a\u{0}b\r\n\r\n", accepted: 0, problem: .invalidHeaderValue),
        Case(name: "NUL in name", stream: post + "X\u{0}Y: a\r\n\r\n", accepted: 0, problem: .invalidHeaderName),
        Case(name: "NUL in target", stream: "GET /a\u{0}b HTTP/1.1\r\n\r\n", accepted: 0, problem: .invalidTarget),
        Case(name: "bare CR in value", stream: post + "X: a\rb\r\n\r\n", accepted: 0, problem: .bareCarriageReturn),
        Case(
            name: "bare CR ends a line", stream: post + "X: a\rContent-Length: 5\r\n\r\n", accepted: 0,
            problem: .bareCarriageReturn),
        Case(name: "LF-only head", stream: "GET / HTTP/1.1\nHost: h\n\n", accepted: 0, problem: .bareLineFeed),
        Case(name: "LF-only last line", stream: post + "\n", accepted: 0, problem: .bareLineFeed),
        Case(name: "leading empty lines", stream: "\r\n\n\r\n" + next + "\r\n" + next, accepted: 2),
        // Chunk sizes.
        Case(
            name: "chunk size 0x", stream: post + "Transfer-Encoding: chunked\r\n\r\n0x1\r\nx\r\n0\r\n\r\n",
            accepted: 0,
            problem: .invalidChunkSize),
        Case(
            name: "chunk size +", stream: post + "Transfer-Encoding: chunked\r\n\r\n+1\r\nx\r\n0\r\n\r\n", accepted: 0,
            problem: .invalidChunkSize),
        Case(
            name: "chunk size -", stream: post + "Transfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n", accepted: 0,
            problem: .invalidChunkSize),
        Case(
            name: "chunk size not hex", stream: post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n0\r\n\r\n",
            accepted: 0, problem: .invalidChunkSize),
        Case(
            name: "chunk size zero-padded, then more requests",
            stream: post + "Transfer-Encoding: chunked\r\n\r\n0000000000000001\r\nx\r\n0\r\n\r\n" + next + next,
            accepted: 3),
        Case(
            name: "chunk size 17 digits",
            stream: post + "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n0\r\n\r\n", accepted: 0,
            problem: .invalidChunkSize),
        Case(
            name: "chunk size space before CRLF",
            stream: post + "Transfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n",
            accepted: 0, problem: .invalidChunkSize),
        Case(
            name: "chunk size bare LF", stream: post + "Transfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n",
            accepted: 0,
            problem: .bareLineFeed),
        Case(
            name: "chunk data too long", stream: post + "Transfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n",
            accepted: 0, problem: .missingChunkTerminator),
        Case(
            name: "chunk data LF only", stream: post + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\n0\r\n\r\n",
            accepted: 0,
            problem: .missingChunkTerminator),
        Case(
            name: "extensions",
            stream: post + "Transfer-Encoding: chunked\r\n\r\n1;a=b;c=\"d;e\"\r\nx\r\n0;z\r\n\r\n" + next,
            accepted: 2),
        Case(
            name: "extension with NUL", stream: post + "Transfer-Encoding: chunked\r\n\r\n1;a\u{0}\r\nx\r\n0\r\n\r\n",
            accepted: 0, problem: .invalidChunkExtension),
        Case(
            name: "extension after a quoted-string",
            stream: post + "Transfer-Encoding: chunked\r\n\r\n1;c=\";e\"ff\r\nx\r\n0\r\n\r\n", accepted: 0,
            problem: .invalidChunkExtension),
        Case(
            name: "extension with bare CR", stream: post + "Transfer-Encoding: chunked\r\n\r\n1;a\rb\r\nx\r\n0\r\n\r\n",
            accepted: 0, problem: .bareCarriageReturn),
        // Trailers.
        Case(
            name: "trailers",
            stream: post + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: 1\r\nU: 2\r\n\r\n" + next,
            accepted: 2),
        Case(
            name: "trailer Content-Length",
            stream: post + "Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n" + next, accepted: 0,
            problem: .invalidTrailer),
        Case(
            name: "trailer without colon", stream: post + "Transfer-Encoding: chunked\r\n\r\n0\r\nNoColon\r\n\r\n",
            accepted: 0, problem: .invalidTrailer),
        // Request line.
        Case(name: "HTTP/2.0", stream: "GET / HTTP/2.0\r\n\r\n", accepted: 0, problem: .unsupportedVersion),
        Case(name: "HTTP/1.2", stream: "GET / HTTP/1.2\r\n\r\n", accepted: 0, problem: .unsupportedVersion),
        Case(name: "version junk", stream: "GET / HTTP/x.1\r\n\r\n", accepted: 0, problem: .invalidVersion),
        Case(name: "double space", stream: "GET  / HTTP/1.1\r\n\r\n", accepted: 0, problem: .invalidRequestLine),
        Case(name: "no version", stream: "GET /\r\n\r\n", accepted: 0, problem: .invalidRequestLine),
        Case(name: "method not a token", stream: "GE(T / HTTP/1.1\r\n\r\n", accepted: 0, problem: .invalidRequestLine),
        Case(name: "CONNECT", stream: "CONNECT h:443 HTTP/1.1\r\n\r\n", accepted: 0, problem: .connectNotSupported),
        Case(name: "PRI", stream: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", accepted: 0, problem: .http2Preface),
        Case(
            name: "Upgrade h2c", stream: "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" + next,
            accepted: 0, problem: .upgradeNotSupported),
        Case(
            name: "request after a refused one is not parsed", stream: "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n" + next,
            accepted: 0, problem: .invalidHeaderName),
        Case(name: "absolute-form target", stream: "GET http://example.com:8080/p?q HTTP/1.1\r\n\r\n", accepted: 1),
        Case(name: "obs-text in a value", stream: "GET /e HTTP/1.1\r\nX: \u{e9}\r\n\r\n", accepted: 1),
        Case(
            name: "obs-text in the target", stream: "GET /\u{e9} HTTP/1.1\r\n\r\n", accepted: 0, problem: .invalidTarget
        ),
    ]

    @Test(arguments: corpus)
    func corpusCase(_ testCase: Case) {
        let stream = Array(testCase.stream.utf8)
        let whole = ParserHarness.parse(stream)
        #expect(whole.requests.count == testCase.accepted)
        #expect(whole.problem == testCase.problem)
        #expect(whole.all == stream, "every byte is reported once")
        // The same at every split into two reads.
        for cut in 1..<stream.count {
            let split = ParserHarness.parse(stream, cuts: [cut])
            if split.requests != whole.requests || split.problem != whole.problem || split.all != stream {
                Issue.record("split at \(cut) differs")
                break
            }
        }
        var strictness: String?
        let oracle = ParserHarness.oracle(stream)
        let difference = ParserHarness.disagreement(
            stream, framer: whole, oracle: oracle, allowedStrictness: &strictness)
        #expect(
            difference == nil, "llhttp: \(oracle.requests.count) requests, error \(String(describing: oracle.error))")
    }

    @Test func pipelinedRequestsSplitAtEveryByteAgreeWithLlhttp() {
        let stream = Array(
            (Self.post + "Content-Length: 5\r\n\r\nhello" + Self.post
                + "Transfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: x\r\n\r\n" + "\r\n" + Self.next).utf8)
        let oracle = ParserHarness.oracle(stream)
        #expect(oracle.error == nil)
        #expect(oracle.requests.count == 3)
        for first in 0..<stream.count {
            for second in stride(from: first + 1, to: stream.count, by: 13) {
                let outcome = ParserHarness.parse(stream, cuts: [first, second])
                if outcome.requests != oracle.requests || outcome.all != stream {
                    Issue.record("cuts \(first), \(second): \(outcome.requests) vs \(oracle.requests)")
                    return
                }
            }
        }
    }
}
