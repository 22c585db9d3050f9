import ArgumentParser
import Foundation
import HookstashCore
import HookstashSignatures
import HookstashStore

/// `hookstash verify`: checks the signature of a stored capture, or of a body file with headers, and explains a
/// mismatch. Exit status 0 only when the signature is valid.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a signature and explain a mismatch; exit 0 only when it is valid.",
        discussion: """
            Verify a stored capture by id, or a body file with the headers the sender added:
              hookstash verify 42 --scheme front --secret "$FRONT_SECRET"
              hookstash verify --body event.json --header 'X-Front-Signature: …' --scheme front --secret …
            Schemes: \(SignatureSchemeSelection.names.joined(separator: ", ")).
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var secrets: SecretOptions

    @Argument(help: "A capture id from the store.")
    var id: Int64?

    @Option(
        name: .long, help: ArgumentHelp("Body file to verify instead of a capture ('-' for stdin).", valueName: "file"))
    var body: String?

    @Option(
        name: .long, help: ArgumentHelp("A header the sender added, 'Name: value'; repeatable.", valueName: "header"))
    var header: [String] = []

    @Option(name: .long, help: "Request method (with --body).")
    var method: String = "POST"

    @Option(
        name: .long,
        help: ArgumentHelp("The full URL the sender signed (Twilio, Square).", valueName: "url"))
    var url: String?

    @Option(name: .customLong("public-url"), help: ArgumentHelp("Base URL the sender signs against.", valueName: "url"))
    var publicURL: String?

    @Option(name: .long, help: "Signature scheme, or auto to pick it from the headers.")
    var scheme: String = "auto"

    @Flag(name: .long, help: "Print the verdict as JSON.")
    var json = false

    func validate() throws {
        if id == nil && body == nil { throw ValidationError("Give a capture id or --body FILE.") }
        if id != nil && body != nil { throw ValidationError("Give a capture id or --body FILE, not both.") }
        if id != nil && !header.isEmpty { throw ValidationError("--header goes with --body, not with a capture id.") }
        if SignatureSchemeSelection(name: scheme) == nil {
            throw ValidationError(
                "Unknown scheme '\(scheme)'; expected one of \(SignatureSchemeSelection.names.joined(separator: ", "))."
            )
        }
        for line in header where HeaderLine.parse(line) == nil {
            throw ValidationError("--header '\(line)' is not 'Name: value'.")
        }
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--url must be an http:// or https:// URL.")
        }
    }

    func run() throws {
        var verdict: SignatureVerdict?
        try reportingFailures {
            let secretList = try secrets.resolved()
            let (request, signedURL) = try makeRequest()
            let policy = SignaturePolicy(
                scheme: SignatureSchemeSelection(name: scheme) ?? .auto, secrets: secretList,
                publicURL: signedURL ?? publicURL)
            verdict = SignatureVerifier.verify(request, policy: policy)
        }
        guard let verdict else { throw ExitCode.failure }
        if json {
            Terminal.jsonLine(VerdictText.json(verdict))
        } else {
            Terminal.text(VerdictText.lines(verdict))
        }
        if verdict.status != .valid { throw ExitCode.failure }
    }

    /// The request to check, and the base URL when `--url` names the full signed URL.
    private func makeRequest() throws -> (SignatureRequest, String?) {
        var target = "/"
        var base: String?
        if let url {
            let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
            let slash = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
            base = String(url[..<slash])
            target = afterScheme[slash...].isEmpty ? "/" : String(afterScheme[slash...])
        }
        if let id {
            let captureStore = try store.openExisting()
            let capture = try captureStore.requireCapture(id: id)
            let bytes = try captureStore.bytes(of: capture.body)
            var request = SignatureRequest(capture: capture, body: bytes)
            if url != nil { request.target = target }
            return (request, base)
        }
        var headers = HeaderList()
        for line in header {
            if let (name, value) = HeaderLine.parse(line) { headers.append(name: name, value: value) }
        }
        let request = SignatureRequest(
            method: method.uppercased(), target: target, headers: headers, body: try readInput(body ?? "-"),
            receivedAt: .now())
        return (request, base)
    }
}

/// `Name: value` as typed on the command line.
enum HeaderLine {
    static func parse(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
        return (line[..<colon].trimmingSpaces(), line[line.index(after: colon)...].trimmingSpaces())
    }
}

/// How `verify` prints a verdict: every value from the request through `Terminal.field`.
enum VerdictText {
    static func lines(_ verdict: SignatureVerdict) -> String {
        let field = Terminal.field
        var out = "signature: \(verdict.status.rawValue) (\(field(verdict.scheme))"
        if let header = verdict.header { out += ", \(field(header))" }
        if let matched = verdict.matchedSecret, verdict.status == .valid { out += ", secret #\(matched)" }
        out += ")\n"
        if let received = verdict.received { out += "received:  \(field(received))\n" }
        if let expected = verdict.expected, verdict.status != .valid { out += "expected:  \(field(expected))\n" }
        switch verdict.status {
        case .missing: out += "the request carries no signature header for this scheme\n"
        case .unchecked: out += "no secret given, so nothing was checked (--secret or --secret-env)\n"
        default: break
        }
        if !verdict.diagnosis.isEmpty {
            out +=
                "diagnosis:\n" + verdict.diagnosis.map { "  - \(field(Wording.commandLine.sentence($0)))\n" }.joined()
        }
        if !verdict.warnings.isEmpty {
            out += "warnings:\n" + verdict.warnings.map { "  - \(field(Wording.commandLine.sentence($0)))\n" }.joined()
        }
        return out
    }

    /// One document on one line, like every other `--json` output (without the line feed).
    static func json(_ verdict: SignatureVerdict) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.userInfo[Wording.userInfoKey] = Wording.commandLine
        let data = (try? encoder.encode(verdict)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
