import Foundation
import HookstashCore
import Testing

@testable import HookstashInspector

/// Copy-as-curl run by real shells against a recorder on 127.0.0.1: every hostile body and header arrives byte for
/// byte, and no command in them runs.
@Suite(.serialized) struct CurlShellTests {
    static let shells = ["/bin/sh", "/usr/bin/bash", "/usr/bin/dash"]

    /// Bodies: grapheme payloads that hide a quote from a `Character`-based quoter, command substitutions, a body
    /// starting with `@` (which `--data-binary` would read as a file name), line breaks, every byte, bidi controls,
    /// invalid UTF-8.
    static func bodies(canary: String) -> [(name: String, bytes: [UInt8])] {
        let texts: [(String, String)] = [
            ("U+0600 <", "\u{600}<b id=injected>"),
            ("quote + U+0301", "{\"x\":\"'\u{301}$(touch \(canary))'\u{301}\"}"),
            ("double quote + U+0301", "\"\u{301}$(touch \(canary))\"\u{301}"),
            ("CR LF", "a\r\n$(touch \(canary))\r\n"),
            ("plain with quotes and substitutions", "it's `touch \(canary)` $(touch \(canary)) ${HOME} \\'\n"),
            ("at sign", "@/etc/hostname"),
            ("bidi", "\u{202e}$(touch \(canary))\u{2066}\u{2069}"),
            ("escape sequences", "\u{1b}]0;x\u{7}\u{9b}2J"),
            ("trailing line feeds", "x\n\n\n"),
        ]
        return texts.map { ($0.0, Array($0.1.utf8)) } + [
            ("every byte", (0...255).map { UInt8($0) } + [0x27, 0xcc, 0x81, 0x27]),
            ("invalid UTF-8 around a quote", [0xe0, 0x27, 0x80, 0x27, 0xff, 0x3c]),
            ("NUL bytes", [0, 0x27, 0, 0x24, 0x28]),
        ]
    }

    /// Header values: every scalar U+0001–U+00FF but CR and LF (a captured value holds no line break), and the
    /// grapheme payloads.
    static func headerValues(canary: String) -> [String] {
        let latin = (1...255).filter { $0 != 0x0a && $0 != 0x0d }.map { String(Unicode.Scalar(UInt8($0))) }
        return latin.map { "a\($0)b" } + [
            "'\u{301}$(touch \(canary))'\u{301}", "\"\u{301}`touch \(canary)`", "\u{600}<x>", "\u{202e}evil",
            "{a,b}[1-2]",
        ]
    }

    func run(_ shell: String, _ command: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = ["-c", command]
        process.environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test(arguments: shells)
    func everyBodyArrivesExactlyAndNothingRuns(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else {
            Issue.record("\(shell) is missing (apt-get install -y dash)")
            return
        }
        let canary = NSTemporaryDirectory() + "hookstash-canary-\(UUID().uuidString)"
        for (name, body) in Self.bodies(canary: canary) {
            let receiver = try OneShotReceiver()
            let capture = SampleCapture.make(
                method: "POST", target: "/hook", headers: [("Host", "localhost:8080"), ("X-Body", name)], body: body)
            let command = CurlCommand(capture: capture, body: body, url: "http://127.0.0.1:\(receiver.port)/hook").text
            #expect(command.utf8.allSatisfy { (0x20...0x7e).contains($0) || $0 == 0x0a }, "\(name)")
            #expect(try run(shell, command) == 0, "\(shell), \(name): \(command)")
            let received = try #require(receiver.request(), "\(shell), \(name)")
            #expect(received.body == body, "\(shell), \(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: canary), "a captured command ran under \(shell)")
        try? FileManager.default.removeItem(atPath: canary)
    }

    @Test(arguments: shells)
    func everyHeaderAndTargetArrivesExactlyAndNothingRuns(shell: String) throws {
        guard FileManager.default.isExecutableFile(atPath: shell) else {
            Issue.record("\(shell) is missing (apt-get install -y dash)")
            return
        }
        let canary = NSTemporaryDirectory() + "hookstash-canary-\(UUID().uuidString)"
        let values = Self.headerValues(canary: canary)
        let headers = [("Host", "localhost:8080")] + values.enumerated().map { ("X-Value-\($0.offset)", $0.element) }
        let receiver = try OneShotReceiver()
        // curl percent-encodes non-ASCII in a URL itself; the shell's part is the quotes, `$(…)`, `[]{}`.
        let target = "/hook/'$(touch%20\(canary))'`id`?q=[1]{2}&r=%CC%81"
        let capture = SampleCapture.make(method: "PUT", target: target, headers: headers, body: [])
        let url = "http://127.0.0.1:\(receiver.port)" + target
        let command = CurlCommand(capture: capture, body: [], url: url).text
        #expect(command.contains("--globoff"))
        #expect(try run(shell, command) == 0, "\(shell): \(command)")
        let received = try #require(receiver.request())
        let head = Array(received.head.utf8)
        let lines = head.split(separator: 0x0a).map { Array($0.last == 0x0d ? $0.dropLast() : $0[...]) }
        #expect(lines.first == Array("PUT \(target) HTTP/1.1".utf8))
        for (index, value) in values.enumerated() {
            let expected = Array("X-Value-\(index): \(value)".utf8)
            #expect(lines.contains(expected), "\(shell): X-Value-\(index) \(value.unicodeScalars.map(\.value))")
        }
        #expect(!FileManager.default.fileExists(atPath: canary), "a captured command ran under \(shell)")
        try? FileManager.default.removeItem(atPath: canary)
    }
}
