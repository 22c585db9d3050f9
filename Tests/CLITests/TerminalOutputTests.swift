import Foundation
import HookstashTestSupport
import Testing

/// Captures whose method, target and headers carry ESC, C1 and bidi controls, read back with `list`, `tail` and
/// `show` from a real `serve`: no raw control byte reaches the terminal. And values that would break a header's
/// line are refused as bad usage.
@Suite struct TerminalOutputTests {
    /// The bytes a terminal would act on: C0 controls other than line feed and tab, DEL, C1 controls in UTF-8, bidi
    /// controls in UTF-8.
    static func terminalControls(_ bytes: Data) -> [String] {
        let bytes = Array(bytes)
        var found: [String] = []
        for (index, byte) in bytes.enumerated() {
            if byte < 0x20, byte != 0x0a, byte != 0x09 { found.append(String(format: "0x%02x", byte)) }
            if byte == 0x7f { found.append("DEL") }
            if byte == 0xc2, index + 1 < bytes.count, (0x80...0x9f).contains(bytes[index + 1]) {
                found.append(String(format: "C1 0x%02x", bytes[index + 1]))
            }
            if byte == 0xe2, index + 2 < bytes.count {
                let (second, third) = (bytes[index + 1], bytes[index + 2])
                if (second == 0x80 && (0xaa...0xae).contains(third))
                    || (second == 0x81 && (0xa6...0xa9).contains(third))
                {
                    found.append("bidi")
                }
            }
        }
        return found
    }

    static let hostileRequests: [[UInt8]] = [
        // A malformed method: ESC sequences that would set the title and clear the screen.
        Array("P\u{1b}]0;pwned\u{7}\u{1b}[2JOST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n".utf8),
        // A malformed target with ESC, C1 CSI (UTF-8) and a bidi override.
        Array("GET /t\u{1b}[31m".utf8) + [0xc2, 0x9b] + Array("2J\u{202e}gpj.exe HTTP/1.1\r\nHost: a\r\n\r\n".utf8),
        // A well-formed request whose header values carry C1 and bidi controls (obs-text) and whose body has ESC.
        Array("POST /h HTTP/1.1\r\nHost: a\r\nX-Evil: ".utf8) + [0xc2, 0x9b]
            + Array("31m\u{202e}\u{2066}x\u{2069}\r\n".utf8)
            + Array("Content-Length: 7\r\n\r\n\u{1b}[2J\u{9b}A".utf8),
    ]

    @Test func listTailAndShowPrintNoRawControlBytes() throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try ServeProcess(database: database)
        for request in Self.hostileRequests {
            let connection = try RawConnection(port: serve.port)
            try connection.send(request)
            connection.finishSending()
            _ = try? connection.readToEnd()
        }
        // Every capture is committed before it is answered.
        let listed = try HookstashProcess.run(["list", "--db", database])
        #expect(listed.status == 0)
        #expect(
            listed.stdoutText.split(separator: "\n").count == 1 + Self.hostileRequests.count, "\(listed.stdoutText)")
        var outputs: [(String, Data, String)] = [("list", listed.stdout, listed.stderr)]
        for id in 1...Self.hostileRequests.count {
            let shown = try HookstashProcess.run(["show", String(id), "--db", database])
            #expect(shown.status == 0)
            outputs.append(("show \(id)", shown.stdout, shown.stderr))
            let json = try HookstashProcess.run(["show", String(id), "--json", "--db", database])
            #expect(json.status == 0)
            #expect((try? JSONSerialization.jsonObject(with: json.stdout)) != nil, "show \(id) --json is JSON")
            outputs.append(("show \(id) --json", json.stdout, json.stderr))
        }
        let listJSON = try HookstashProcess.run(["list", "--json", "--db", database])
        outputs.append(("list --json", listJSON.stdout, listJSON.stderr))
        outputs.append(("tail --last 3", try tail(database: database), ""))
        for (command, stdout, stderr) in outputs {
            #expect(Self.terminalControls(stdout).isEmpty, "\(command): \(Self.terminalControls(stdout))")
            #expect(Self.terminalControls(Data(stderr.utf8)).isEmpty, "\(command) (stderr)")
        }
        // Made visible, not dropped (the captures' order depends on the connections').
        let shown = outputs.filter { $0.0.hasPrefix("show") && !$0.0.hasSuffix("--json") }
            .map { String(decoding: $0.1, as: UTF8.self) }.joined()
        #expect(shown.contains("\\x1b]0;pwned\\x07\\x1b[2JOST /m"), "\(shown)")
        #expect(shown.contains("/t\\x1b[31m\\u{9b}2J\\u{202e}gpj.exe"), "\(shown)")
        #expect(shown.contains("X-Evil: \\u{9b}31m\\u{202e}\\u{2066}x\\u{2069}"), "\(shown)")
        serve.stop()
    }

    /// `tail --last 3` for a moment: what it printed.
    func tail(database: String) throws -> Data {
        let process = Process()
        HookstashProcess.prepare(process, arguments: ["tail", "--last", "3", "--db", database], launcher: nil)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var printed = Data()
        let deadline = Date().addingTimeInterval(10)
        while printed.split(separator: 0x0a).count < 4, Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            printed.append(data)
        }
        process.terminate()
        process.waitUntilExit()
        #expect(printed.split(separator: 0x0a).count == 4, "tail printed \(String(decoding: printed, as: UTF8.self))")
        return printed
    }

    @Test(arguments: [
        ["replay", "1", "--to", "http://127.0.0.1:9/", "--header", "X-A: v\r\nX-Injected: 1"],
        ["replay", "1", "--to", "http://127.0.0.1:9/", "--header", "X-A: v\nX-Injected: 1"],
        ["replay", "1", "--to", "http://127.0.0.1:9/a\r\nX-Injected: 1"],
        ["send", "-", "--scheme", "none", "--to", "http://127.0.0.1:9/", "--header", "X-A: \r\nX-Injected: 1"],
        ["send", "-", "--scheme", "none", "--to", "http://127.0.0.1:9/a\r\nX-Injected: 1"],
        ["send", "-", "--scheme", "none", "--to", "http://127.0.0.1:9/", "--content-type", "a/b\r\nX-Injected: 1"],
        ["send", "-", "--scheme", "none", "--to", "http://127.0.0.1:9/", "--method", "POST /x\r\n"],
        ["pull", "--from", "http://127.0.0.1:9/\r\nX-Injected: 1", "--to", "http://127.0.0.1:9/"],
        ["pull", "--from", "http://127.0.0.1:9/", "--to", "http://127.0.0.1:9/", "--token", "t\r\nX-Injected: 1"],
        ["serve", "--response-header", "X-A: v\r\nX-Injected: 1"],
    ])
    func lineBreaksInHeadersAndURLsAreBadUsage(arguments: [String]) throws {
        let directory = try TemporaryDirectory()
        let result = try HookstashProcess.run(arguments + ["--db", directory.file("h.sqlite")], stdin: Data("{}".utf8))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr.contains("carriage return (CR)") || result.stderr.contains("line feed (LF)"),
            "\(result.stderr)")
        #expect(Self.terminalControls(Data(result.stderr.utf8)).isEmpty, "\(result.stderr)")
    }

    @Test func aConfiguredResponseHeaderWithALineBreakIsRefused() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("hookstash.toml")
        try Data(
            """
            [[endpoint]]
            path = "/hooks"
            [endpoint.response]
            headers = ["X-A: v\\r\\nX-Injected: 1"]

            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let result = try HookstashProcess.run([
            "serve", "--config", config, "--db", directory.file("h.sqlite"), "--listen", "127.0.0.1:0", "--inspect",
            "off",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("carriage return (CR)"), "\(result.stderr)")
    }
}
