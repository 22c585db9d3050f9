import Testing

@testable import HookstashServer

/// The capture parser gives the same split whatever the read boundaries are, validates heads and framing, and
/// keeps every byte.
@Suite struct HTTPRequestParserTests {
    static let requests: [String] = [
        "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "GET /b HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /c HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\nU: 2\r\n\r\n",
        "\r\nPUT /d HTTP/1.1\r\ncontent-length: 2\r\n\r\nok",
        "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ]

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func pipelinedRequestsSplitTheSameAtAnyReadSize(readSize: Int) {
        let stream = Array(Self.requests.joined().utf8)
        let cuts = Array(stride(from: readSize, to: stream.count, by: readSize))
        let outcome = ParserHarness.parse(stream, cuts: cuts)
        #expect(outcome.raw == Self.requests.map { Array($0.utf8) })
        #expect(outcome.problem == nil)
        #expect(outcome.requests.map(\.body) == ["hello", "", "abc", "ok", ""].map { Array($0.utf8) })
    }

    @Test func headParseIsLenientAndExact() {
        let head = RawHead(bytes: Array("\r\nGET  /x y  HTTP/1.1\r\nA: 1\r\nB : 2\r\n fold\r\nNoColon\r\n\r\n".utf8))
        #expect(head.method == "GET")
        #expect(head.target == "/x y")
        #expect(head.version == "HTTP/1.1")
        #expect(head.headers.fields.map(\.name) == ["A", "B ", "NoColon"])
        #expect(head.headers.first("B ") == "2 fold")
    }

    @Test func theParsedViewKeepsCaseOrderAndDuplicates() {
        let outcome = ParserHarness.parse(
            Array("BREW /pot?x=1 HTTP/1.1\r\nX-Dup: one\r\nx-dup:\ttwo \r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(outcome.requests.count == 1)
        #expect(outcome.requests.first?.method == "BREW")
        #expect(outcome.requests.first?.target == "/pot?x=1")
        #expect(outcome.requests.first?.headers == [["X-Dup", "one"], ["x-dup", "two"], ["Content-Length", "0"]])
    }

    @Test(arguments: [
        ("1A;ext\r\n" + String(repeating: "z", count: 26) + "\r\n0\r\n\r\n", 26),
        ("0000000000000001\r\nz\r\n0\r\n\r\n", 1),
        ("00000000000000000000000000000003;a=\"b c\"\r\nzzz\r\n000\r\n\r\n", 3),
        ("fffffffffffffff\r\n", -1),
    ])
    func chunkSizes(body: String, decoded: Int) {
        let outcome = ParserHarness.parse(Array(("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body).utf8))
        #expect(outcome.problem == nil)
        if decoded >= 0 {
            #expect(outcome.requests.first?.body.count == decoded)
        } else {
            #expect(outcome.incomplete)
        }
    }

    @Test func headLargerThanTheLimitStopsParsing() {
        let limits = HTTPRequestParser.Limits(maxHeadSize: 16)
        let stream = Array("GET / HTTP/1.1\r\nX-Long: 0123456789".utf8)
        let outcome = ParserHarness.parse(stream, limits: limits)
        #expect(outcome.problem == .headTooLarge(limit: 16))
        #expect(outcome.all == stream)
    }

    /// Each line of a hostile head is looked at a bounded number of times: 64 KiB of LFs and 8,000 obs-fold lines
    /// are refused after one pass (the old framer rescanned its whole buffer per line).
    @Test func floodsOfEmptyLinesAndFoldsAreRefusedInOnePass() {
        let limits = HTTPRequestParser.Limits(maxHeadSize: 64 * 1024)
        let lineFeeds = [UInt8](repeating: UInt8(ascii: "\n"), count: 64 * 1024) + Array("GET / HTTP/1.1\r\n\r\n".utf8)
        let cuts = Array(stride(from: 1, to: lineFeeds.count, by: 1))
        let flood = ParserHarness.parse(lineFeeds, cuts: cuts, limits: limits)
        #expect(flood.problem == .headTooLarge(limit: 64 * 1024))
        #expect(flood.all == lineFeeds)

        let folds = Array(
            ("POST / HTTP/1.1\r\nX: a\r\n" + String(repeating: " folded\r\n", count: 8000) + "\r\n").utf8)
        let folded = ParserHarness.parse(folds, cuts: Array(stride(from: 7, to: folds.count, by: 7)), limits: limits)
        #expect(folded.problem == .obsoleteLineFolding)
        #expect(folded.all == folds)
    }

    @Test func chunkExtensionsAndFramingAreBoundedPerRequest() {
        var limits = HTTPRequestParser.Limits(maxHeadSize: 1024)
        limits.maxChunkExtensionBytes = 100
        limits.maxFramingBytes = 1000
        let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        let extensions = Array(
            (head + String(repeating: "1;" + String(repeating: "e", count: 40) + "\r\nx\r\n", count: 4)).utf8)
        let extended = ParserHarness.parse(extensions, limits: limits)
        #expect(extended.problem == .chunkExtensionsTooLarge(limit: 100))
        #expect(extended.all == extensions)

        let ones = Array((head + String(repeating: "1\r\nx\r\n", count: 300)).utf8)
        let framed = ParserHarness.parse(ones, limits: limits)
        #expect(framed.problem == .framingTooLarge(limit: 1000))
        #expect(framed.problem?.status == 413)
        #expect(framed.all == ones)
    }
}
