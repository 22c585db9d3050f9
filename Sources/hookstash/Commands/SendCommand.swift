import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashSignatures

/// `hookstash send FILE --to URL --scheme S --secret S`: sends a file signed as the provider would.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a file to a URL, signed as the provider would (simulates Front and others).",
        discussion: """
            hookstash send event.json --to http://localhost:3000/webhooks/front --scheme front --secret s3cret
            The request carries Host, User-Agent: hookstash, Content-Type (--content-type, else application/json \
            when the file looks like JSON), Content-Length and the scheme's signature headers with the current time. \
            Exit status 0 only when the answer is 2xx or 3xx.
            """)

    @Argument(help: ArgumentHelp("The body to send ('-' for stdin).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Target URL: http(s)://host[:port]/path.", valueName: "url"))
    var to: String

    @Option(
        help: ArgumentHelp(
            "Signature scheme (\(SignatureScheme.allCases.map(\.rawValue).joined(separator: ", ")), none).",
            valueName: "name"))
    var scheme: String

    @OptionGroup var delivery: DeliveryFlags

    @OptionGroup var secrets: SecretOptions

    @OptionGroup var targets: TargetOptions

    @Option(help: "Request method.")
    var method: String = "POST"

    @Option(help: ArgumentHelp("Content-Type of the body.", valueName: "type"))
    var contentType: String?

    @Flag(help: "Print the request as sent and the answer as one JSON object.")
    var json = false

    var signatureScheme: SignatureScheme? { SignatureScheme(rawValue: scheme.lowercased()) }

    func validate() throws {
        if signatureScheme == nil, scheme.lowercased() != "none" {
            throw ValidationError(
                "Unknown scheme '\(scheme)'; expected one of "
                    + SignatureScheme.allCases.map(\.rawValue).joined(separator: ", ") + ", none.")
        }
        for (flag, value) in [("--method", method), ("--content-type", contentType ?? "")] {
            if let found = LineBreakingByte.first(in: value) {
                throw ValidationError("\(flag) contains \(found); it is sent on one line")
            }
        }
        let secretCount = secrets.secret.count + secrets.secretEnv.count
        if signatureScheme != nil, secretCount != 1 {
            throw ValidationError("Give exactly one --secret or --secret-env.")
        }
        try ReplayOutput.validateTarget(to)
    }

    func run() async throws {
        try await ReplayOutput.failingOnError { try await send() }
    }

    private func send() async throws {
        let target = try DeliveryTarget(parsing: to)
        let body = try readInput(file)
        var request = OutgoingRequest.sending(
            body, to: target, method: method, contentType: contentType,
            extraHeaders: try delivery.extraHeaders())
        if let signatureScheme {
            try Resigner(secret: try secrets.resolved()[0]).sign(&request, scheme: signatureScheme)
            request.changes = []
        }
        let options = delivery.options(targets)
        if let refusal = options.checkTarget(host: target.host) {
            ReplayOutput.fail(TargetOptions.message(refusal))
        }
        let engine = DeliveryEngine(maxTransfers: 1)
        defer { engine.shutdown() }
        let outcome = await engine.deliver(request, options: options)
        let report = DeliveryReport(source: "send", request: request, outcome: outcome)
        if json {
            Terminal.jsonLine(report.json())
        } else {
            let time = String(format: "%.1f ms", outcome.timings.totalMs)
            let line = "\(Terminal.field(request.method)) \(Terminal.field(request.url))"
            if let error = outcome.error {
                ReplayOutput.err("\(line) → failed after \(time): \(Terminal.field("\(error)"))")
            } else if let response = report.response {
                let reason = ReplayOutput.reason(response.statusLine)
                ReplayOutput.out("\(line) → \(response.status)\(reason) in \(time)")
                if let text = response.bodyText, !text.isEmpty {
                    ReplayOutput.out(
                        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(
                            separator: "\n"))
                }
            }
        }
        if !outcome.succeeded { throw ExitCode.failure }
    }
}
