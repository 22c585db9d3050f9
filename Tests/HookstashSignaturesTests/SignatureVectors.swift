import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// The published test vectors in `Fixtures/signature-vectors.json`, a resource of this test target (`Fixtures/README.md`
/// says where each comes from).
struct SignatureVector: Decodable, Sendable, CustomTestStringConvertible {
    var provider: String
    var scheme: String
    var secret: String
    var payload: String
    var headers: [String: String]
    var timestamp: String?
    var expected: String
    var url: String?
    /// False for a vector built from a documented algorithm rather than copied from a publication.
    var published: Bool?

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
        case "Shopify": .shopify
        case "Front": headers["X-Front-Request-Timestamp"] == nil ? .front : .frontApp
        case "Standard Webhooks / Svix": .standardWebhooks
        default: fatalError("signature-vectors.json names an unknown provider: \(provider)")
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
        guard let url = Bundle.module.url(forResource: "signature-vectors", withExtension: "json") else {
            fatalError("signature-vectors.json is not among the test target's resources (Package.swift)")
        }
        do {
            return try JSONDecoder().decode([SignatureVector].self, from: Data(contentsOf: url))
        } catch {
            fatalError("signature vectors at \(url.path) do not load: \(error)")
        }
    }()
}
