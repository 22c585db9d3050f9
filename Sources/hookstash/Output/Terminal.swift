import Foundation
import HookstashCore

/// Writing to the terminal: stdout for data, stderr for diagnostics.
///
/// Everything printed as text goes through `TerminalText`: captured and remote data is attacker-controlled, and
/// control characters, C1 controls and bidi overrides would drive or reorder the user's terminal. `line`, `error`
/// and `status` make them visible in whole messages (keeping line feeds and tabs); a value that must stay on its
/// line is passed through `field` first, so that a line feed in it cannot forge another line. `json` keeps JSON
/// valid and escapes them inside its strings. Only `write` is byte-exact (`show --raw`, `--body`, `export`).
enum Terminal {
    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((TerminalText.sanitized(text, allowing: .lineBreaks) + "\n").utf8))
    }

    /// Text on stdout as it is given (no line feed added).
    static func text(_ text: String) {
        FileHandle.standardOutput.write(Data(TerminalText.sanitized(text, allowing: .lineBreaks).utf8))
    }

    /// A diagnostic on stderr, after `hookstash: `.
    static func error(_ text: String) {
        status("hookstash: " + text)
    }

    /// One line to stderr as it is given (no prefix).
    static func status(_ text: String) {
        FileHandle.standardError.write(Data((TerminalText.sanitized(text, allowing: .lineBreaks) + "\n").utf8))
    }

    /// One value on one line: every control character, line feeds and tabs included, made visible.
    static func field(_ text: String) -> String {
        TerminalText.sanitized(text)
    }

    /// One JSON document on one line (or pretty-printed).
    static func json<T: Encodable>(_ value: T, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        encoder.userInfo[Wording.userInfoKey] = Wording.commandLine
        jsonLine(try encoder.encode(value))
    }

    /// A JSON document already encoded, on stdout with a line feed.
    static func jsonLine(_ json: some Collection<UInt8>) {
        var bytes = TerminalText.jsonEscapingControls(json)
        bytes.append(0x0a)
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func jsonLine(_ json: String) {
        jsonLine(Array(json.utf8))
    }
}

/// The one-line form of a capture used by `list`, `tail` and `serve`.
enum CaptureLine {
    static let header =
        "ID      TIME (UTC)               METHOD   TARGET                                    SIZE       SIGNATURE   DELIVERIES"

    static func format(_ summary: CaptureSummary) -> String {
        let time = String(summary.receivedAt.rfc3339.prefix(23)).replacingOccurrences(of: "T", with: " ")
        let signature = (summary.signatureStatus ?? .unchecked).rawValue
        let deliveries =
            summary.deliveryCount == 0
            ? "-" : "\(summary.deliveryCount) (last \(summary.lastDeliveryStatus.map(String.init) ?? "error"))"
        let method = Terminal.field(summary.malformed ? "!" + summary.method : summary.method)
        return pad(String(summary.id), 7) + " " + pad(time, 24) + " " + pad(method.isEmpty ? "?" : method, 8) + " "
            + pad(truncate(summary.target.raw, 41), 41) + " " + pad(ByteSizeText.format(summary.bodySize), 10) + " "
            + pad(signature, 11) + " " + deliveries
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `text` made safe for the terminal (`Terminal.field`), then cut to `width` characters.
    static func truncate(_ text: String, _ width: Int) -> String {
        let visible = Terminal.field(text)
        return visible.count <= width ? visible : String(visible.prefix(width - 1)) + "…"
    }
}
