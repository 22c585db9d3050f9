import Foundation
import HookstashCore

/// Writing to the terminal: stdout for data, stderr for diagnostics.
enum Terminal {
    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("hookstash: " + text + "\n").utf8))
    }

    /// One JSON document on one line.
    static func json<T: Encodable>(_ value: T, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0a)
        FileHandle.standardOutput.write(data)
    }
}

/// The one-line form of a capture used by `list`, `tail` and `serve`.
enum CaptureLine {
    static let header =
        "ID      TIME (UTC)               METHOD   TARGET                                    SIZE       SIGNATURE   DELIVERIES"

    static func format(_ summary: CaptureSummary) -> String {
        let time = String(summary.receivedAt.rfc3339.prefix(23)).replacingOccurrences(of: "T", with: " ")
        let signature = (summary.signatureStatus ?? .unchecked).rawValue + (summary.malformed ? "" : "")
        let deliveries =
            summary.deliveryCount == 0
            ? "-" : "\(summary.deliveryCount) (last \(summary.lastDeliveryStatus.map(String.init) ?? "error"))"
        let method = summary.malformed ? "!" + summary.method : summary.method
        return pad(String(summary.id), 7) + " " + pad(time, 24) + " " + pad(method.isEmpty ? "?" : method, 8) + " "
            + pad(truncate(summary.target.raw, 41), 41) + " " + pad(ByteSizeText.format(summary.bodySize), 10) + " "
            + pad(signature, 11) + " " + deliveries
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func truncate(_ text: String, _ width: Int) -> String {
        // Control characters from attacker-controlled targets must not reach the terminal.
        let visible = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return visible.count <= width ? visible : String(visible.prefix(width - 1)) + "…"
    }
}
