import Foundation
import HookstashCore
import HookstashTestSupport
import Testing

@testable import HookstashInspector

@Suite struct FormattingTests {
    @Test func prettyJSONKeepsTheSendersKeyOrder() throws {
        let pretty = try #require(
            JSONPrettyPrinter.prettyPrinted(Array(#"{"z":1,"a":{"s":"x, y: {\"q\"}","e":[]},"list":[1,{}]}"#.utf8)))
        #expect(
            pretty == """
                {
                  "z": 1,
                  "a": {
                    "s": "x, y: {\\"q\\"}",
                    "e": []
                  },
                  "list": [
                    1,
                    {}
                  ]
                }
                """)
        #expect(JSONPrettyPrinter.prettyPrinted(Array("not json".utf8)) == nil)
    }

    @Test func hexDumpShowsOffsetsBytesAndPrintableText() {
        let dump = HexDump.lines(Array("ABCDEFGHIJKLMNOPQ\u{0}".utf8)[...])
        let lines = dump.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|")
        #expect(lines[1].hasPrefix("00000010  51 00 "))
        #expect(lines[1].hasSuffix("|Q.|"))
    }

    @Test func bodyPresentationPicksJSONTextOrHex() {
        #expect(BodyPresentation(body: Array(#"{"a":1}"#.utf8), totalBytes: 7).kind == .json)
        #expect(BodyPresentation(body: Array("hello".utf8), totalBytes: 5).kind == .text)
        #expect(BodyPresentation(body: [0, 1, 2], totalBytes: 3).kind == .binary)
        #expect(BodyPresentation(body: [], totalBytes: 0).kind == .empty)
        let large = BodyPresentation(
            body: [UInt8](repeating: UInt8(ascii: "a"), count: BodyPresentation.textLimit + 10),
            totalBytes: Int64(BodyPresentation.textLimit + 10))
        #expect(large.isPartial)
        #expect(large.shownBytes == BodyPresentation.textLimit)
    }

    /// Runs the generated command with /bin/sh and real curl against a socket, and compares what arrived.
    func roundTrip(_ body: [UInt8], headers: [(String, String)]) async throws -> (head: String, body: [UInt8]) {
        let receiver = try RecordingServer()
        defer { receiver.stop() }
        let capture = SampleCapture.make(method: "POST", target: "/hook?x=1", headers: headers, body: body)
        let command = CurlCommand(capture: capture, body: body, url: "http://127.0.0.1:\(receiver.port)/hook?x=1").text
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        #expect(try await process.exitStatus() == 0, "command failed: \(command)")
        let request = try #require(await receiver.requests(atLeast: 1, seconds: 10).first)
        return (request.headText, request.body)
    }

    @Test func curlReproducesATrickyTextBody() async throws {
        let body = Array("He said \"it's\" \\n $HOME `date` $(id)\n\tline 2\r\n\u{1b}[0m ünïcode %s 'end'".utf8)
        let received = try await roundTrip(
            body, headers: [("Host", "localhost:8080"), ("Content-Type", "text/plain"), ("X-Quote", "it's \"x\" $y")])
        #expect(received.body == body)
        #expect(received.head.hasPrefix("POST /hook?x=1 HTTP/1.1"))
        #expect(received.head.contains("X-Quote: it's \"x\" $y"))
        #expect(received.head.contains("Content-Type: text/plain"))
        #expect(!received.head.lowercased().contains("user-agent"))
    }

    @Test func curlReproducesABinaryBody() async throws {
        let body: [UInt8] = (0...255).map { UInt8($0) } + [0, 0, 39, 34, 92, 36]
        let received = try await roundTrip(body, headers: [("Host", "localhost:8080")])
        #expect(received.body == body)
        #expect(!received.head.lowercased().contains("content-type"))
    }
}
