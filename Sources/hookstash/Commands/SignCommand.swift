import ArgumentParser
import Foundation
import HookstashCore
import HookstashSignatures

/// `hookstash sign`: prints the header lines a sender of the scheme would add to the body.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print the header lines a sender would add.",
        discussion: """
            hookstash sign --scheme front-app --secret s3cret --timestamp 1700000000 --body event.json
            --timestamp takes seconds since the epoch, milliseconds (13 digits) or an RFC 3339 time; default now.
            Schemes: \(SignatureScheme.allCases.map(\.rawValue).joined(separator: ", ")).
            """)

    @OptionGroup var secrets: SecretOptions

    @Option(name: .long, help: "Signature scheme.")
    var scheme: String

    @Option(name: .long, help: ArgumentHelp("Signing time, for reproducible output.", valueName: "time"))
    var timestamp: String?

    @Option(name: .long, help: ArgumentHelp("Body file ('-' for stdin); default an empty body.", valueName: "file"))
    var body: String?

    @Option(name: .long, help: "Request method (front-app signs 'undefined' for GET and DELETE).")
    var method: String = "POST"

    @Option(name: .long, help: ArgumentHelp("The URL the request is sent to (Twilio, Square).", valueName: "url"))
    var url: String?

    @Option(name: .customLong("content-type"), help: "Content-Type of the body (Twilio form or JSON).")
    var contentType: String?

    @Option(name: .customLong("message-id"), help: "webhook-id for standard-webhooks; default derived from the body.")
    var messageID: String?

    func validate() throws {
        guard SignatureScheme(rawValue: scheme.lowercased()) != nil else {
            throw ValidationError(
                "Unknown scheme '\(scheme)'; expected one of "
                    + SignatureScheme.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        if let timestamp, Self.parseTime(timestamp) == nil {
            throw ValidationError("--timestamp '\(timestamp)' is not seconds, milliseconds or an RFC 3339 time.")
        }
        if secrets.secret.count + secrets.secretEnv.count != 1 {
            throw ValidationError("Give exactly one --secret or --secret-env.")
        }
    }

    func run() throws {
        try reportingFailures {
            guard let signatureScheme = SignatureScheme(rawValue: scheme.lowercased()) else { return }
            let bytes = try body.map(readInput) ?? []
            let headers = try SignatureSigner.headers(
                scheme: signatureScheme, secret: try secrets.resolved()[0], body: bytes,
                timestamp: timestamp.flatMap(Self.parseTime) ?? .now(), method: method.uppercased(), url: url,
                contentType: contentType, messageID: messageID)
            for field in headers { print("\(field.name): \(field.value)") }
            if let url {
                let delivery = SignatureSigner.deliveryURL(
                    scheme: signatureScheme, url: url, body: bytes, method: method.uppercased(),
                    contentType: contentType)
                if delivery != url {
                    FileHandle.standardError.write(Data("hookstash: send the request to \(delivery)\n".utf8))
                }
            }
        }
    }

    /// Seconds (up to 12 digits), milliseconds (13 digits) or RFC 3339.
    static func parseTime(_ text: String) -> Timestamp? {
        if let number = Int64(text), number >= 0 {
            return text.count >= 13
                ? Timestamp(microsecondsSinceEpoch: number * 1000)
                : Timestamp(microsecondsSinceEpoch: number * 1_000_000)
        }
        return Timestamp(rfc3339: text)
    }
}
