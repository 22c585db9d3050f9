import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// The published test vectors in `../shared/fixtures/signature-vectors.json` (beside the package checkout).
struct SignatureVector: Decodable, Sendable, CustomTestStringConvertible {
    var provider: String
    var scheme: String
    var secret: String
    var payload: String
    var headers: [String: String]
    var timestamp: String?
    var expected: String
    var url: String?

    var testDescription: String { "\(provider): \(scheme.prefix(40))" }

    /// The hookstash scheme the vector is for.
    var hookstashScheme: SignatureScheme {
        switch provider {
        case "GitHub": .github
        case "Stripe": .stripe
        case "Slack": .slack
        case "Twilio": .twilio
        case "Paddle Billing": .paddle
        case "Square": .square
        case "Front": headers["X-Front-Request-Timestamp"] == nil ? .front : .frontApp
        default: .standardWebhooks
        }
    }

    /// The request as the sender would deliver it: URL-signed vectors arrive at the vector's URL through a tunnel
    /// whose public base URL is configured.
    func request(body: [UInt8]? = nil) -> (SignatureRequest, publicURL: String?) {
        var target = "/webhook"
        var publicURL: String?
        if let url, let schemeEnd = url.range(of: "://") {
            let afterScheme = url[schemeEnd.upperBound...]
            let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
            publicURL = String(url[..<slash])
            target = String(afterScheme[slash...])
        }
        var list = HeaderList([("Host", "127.0.0.1:8080")])
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { list.append(name: name, value: value) }
        let request = SignatureRequest(
            method: "POST", target: target, headers: list, body: body ?? Array(payload.utf8),
            receivedAt: .now())
        return (request, publicURL)
    }

    static let all: [SignatureVector] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/fixtures/signature-vectors.json")
        guard let data = try? Data(contentsOf: path) else {
            fatalError("signature vectors not found at \(path.path): put a copy of shared/ beside the checkout")
        }
        do {
            return try JSONDecoder().decode([SignatureVector].self, from: data)
        } catch {
            fatalError("signature vectors at \(path.path) do not decode: \(error)")
        }
    }()
}
