import Testing

@testable import HookstashServer

/// The tee's framing gives the same split whatever the read boundaries are.
@Suite struct RequestFramerTests {
    /// Frames `stream` delivered in reads of `readSize` bytes; returns each request's bytes (head + raw body).
    private func frame(_ stream: [UInt8], readSize: Int) -> [[UInt8]] {
        var framer = RequestFramer(maxHeadSize: 64 * 1024)
        var requests: [[UInt8]] = []
        var current: [UInt8] = []
        var offset = 0
        while offset < stream.count {
            let read = Array(stream[offset..<min(offset + readSize, stream.count)])
            offset += readSize
            read.withUnsafeBytes { bytes in
                framer.consume(bytes) { output in
                    switch output {
                    case .head(let head): current = head.bytes
                    case .body(let range): current += bytes[range]
                    case .end:
                        requests.append(current)
                        current = []
                    case .headTooLarge: Issue.record("unexpected headTooLarge")
                    }
                }
            }
        }
        return requests
    }

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
        #expect(frame(stream, readSize: readSize) == Self.requests.map { Array($0.utf8) })
    }

    @Test func headParseIsLenientAndExact() {
        let head = RawHead(bytes: Array("\r\nGET  /x y  HTTP/1.1\r\nA: 1\r\nB : 2\r\n fold\r\nNoColon\r\n\r\n".utf8))
        #expect(head.method == "GET")
        #expect(head.target == "/x y")
        #expect(head.version == "HTTP/1.1")
        #expect(head.headers.fields.map(\.name) == ["A", "B ", "NoColon"])
        #expect(head.headers.first("B ") == "2 fold")
    }

    @Test func unknownMethodsReachTheDecoderAsPost() {
        let head = RawHead(bytes: Array("BREW /pot HTTP/1.1\r\n\r\n".utf8))
        #expect(head.decoderBytes == Array("POST /pot HTTP/1.1\r\n\r\n".utf8))
        let known = RawHead(bytes: Array("\r\nPURGE /x HTTP/1.1\r\n\r\n".utf8))
        #expect(known.decoderBytes == Array("PURGE /x HTTP/1.1\r\n\r\n".utf8))
    }

    @Test func chunkSizes() {
        #expect(RequestFramer.chunkSize(Array("1A;ext\r".utf8)) == 26)
        #expect(RequestFramer.chunkSize(Array("0\r".utf8)) == 0)
        #expect(RequestFramer.chunkSize(Array("zz\r".utf8)) == nil)
    }

    @Test func headLargerThanTheLimitStopsFraming() {
        var framer = RequestFramer(maxHeadSize: 16)
        var tooLarge = false
        Array("GET / HTTP/1.1\r\nX-Long: 0123456789".utf8).withUnsafeBytes { bytes in
            framer.consume(bytes) { if case .headTooLarge = $0 { tooLarge = true } }
        }
        #expect(tooLarge)
    }
}
