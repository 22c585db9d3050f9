import ArgumentParser
import HookstashCore
import HookstashStore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one capture.",
        discussion: "Without a flag, prints the request, the signature verdict and the deliveries for reading.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The capture id.")
    var id: Int64

    @Flag(help: "The capture as JSON (the fields of GET /api/captures/{id}).")
    var json = false

    @Flag(help: "Write the exact bytes received to stdout: request line, headers, body in its original framing.")
    var raw = false

    @Flag(help: "Write the body bytes (decoded) to stdout.")
    var body = false

    func validate() throws {
        if [json, raw, body].filter({ $0 }).count > 1 {
            throw ValidationError("--json, --raw and --body are exclusive; pick one")
        }
    }

    func run() throws {
        let captureStore = try store.openExisting()
        let capture = try captureStore.requireCapture(id: id)
        if raw {
            Terminal.write(try captureStore.rawMessage(of: capture))
            return
        }
        let bodyBytes = try captureStore.bytes(of: capture.body)
        if body {
            Terminal.write(bodyBytes)
            return
        }
        if json {
            try Terminal.json(CaptureDocument(capture, body: bodyBytes), pretty: true)
            return
        }
        Terminal.line(CaptureText.render(capture, body: bodyBytes))
    }
}

/// The human-readable form of one capture. Every captured or remote value goes through `Terminal.field` (one
/// line) or, for a text body, `TerminalText` with line breaks kept.
enum CaptureText {
    static func render(_ capture: Capture, body: [UInt8]) -> String {
        let field = Terminal.field
        var lines: [String] = []
        lines.append(
            "#\(capture.id)  \(capture.receivedAt.rfc3339)  from \(field(capture.remoteAddress))  "
                + "answered \(capture.responseStatus)"
                + (capture.rule.map { " by rule '\(field($0))'" } ?? ""))
        if let problem = capture.problem {
            lines.append(
                (capture.malformed ? "malformed: " : "refused: ") + field(Wording.commandLine.sentence(problem)))
        }
        lines.append("")
        lines.append(field("\(capture.method) \(capture.target.raw) \(capture.httpVersion)"))
        for header in capture.headers { lines.append(field("\(header.name): \(header.value)")) }
        lines.append("")
        if body.isEmpty {
            lines.append("(empty body)")
        } else if let text = String(validating: body, as: UTF8.self) {
            lines.append(TerminalText.sanitized(text, allowing: .lineBreaks))
        } else {
            lines.append("(\(body.count) bytes of binary body; `hookstash show \(capture.id) --body` writes them)")
        }
        lines.append("")
        lines.append("body: \(capture.bodySize) bytes, sha256 \(capture.bodySHA256)")
        if let verdict = capture.signature {
            var line = "signature: \(verdict.status.rawValue) (\(field(verdict.scheme))"
            if let header = verdict.header { line += ", \(field(header))" }
            line += ")"
            lines.append(line)
            if let received = verdict.received { lines.append("  received: \(field(received))") }
            if let expected = verdict.expected, verdict.status == .invalid {
                lines.append("  expected: \(field(expected))")
            }
            for finding in verdict.diagnosis { lines.append("  - \(field(Wording.commandLine.sentence(finding)))") }
            for warning in verdict.warnings {
                lines.append("  warning: \(field(Wording.commandLine.sentence(warning)))")
            }
        } else {
            lines.append("signature: unchecked")
        }
        if capture.deliveries.isEmpty {
            lines.append("deliveries: none")
        } else {
            lines.append("deliveries:")
            for delivery in capture.deliveries {
                let outcome = delivery.status.map { "\($0)" } ?? "error: \(field(delivery.error ?? "no response"))"
                let resigned = delivery.resigned ? " (re-signed)" : ""
                lines.append(
                    "  #\(delivery.id) \(delivery.at.rfc3339) → \(field(delivery.to))  \(outcome)  "
                        + "\(String(format: "%.1f", delivery.durationMs)) ms\(resigned)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
