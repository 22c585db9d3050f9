import HookstashCore

/// Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, full URL + each POST parameter's name and value,
/// sorted by name)). For JSON bodies Twilio puts `bodySHA256=<hex>` in the URL query and signs the URL alone.
struct TwilioScheme: SchemeDefinition {
    var scheme: SignatureScheme { .twilio }
    var provider: String { "Twilio" }
    var algorithm: DigestAlgorithm { .sha1 }
    var encoding: SignatureEncoding { .base64 }
    var headerNames: [String] { ["X-Twilio-Signature"] }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("X-Twilio-Signature") else { return nil }
        return SignatureReading(header: "X-Twilio-Signature", received: value, signatures: [value.trimmingSpaces()])
    }

    /// Whether the body is form parameters that Twilio appends to the URL in the signed string.
    static func signsFormParameters(_ parts: SignedParts) -> Bool {
        guard let url = parts.url, FormParameters.value(of: "bodySHA256", inQueryOf: url) == nil else { return false }
        guard parts.method.uppercased() != "GET" else { return false }
        if let contentType = parts.contentType?.lowercased() {
            return contentType.contains("application/x-www-form-urlencoded")
        }
        let first = parts.body.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        return first != UInt8(ascii: "{") && first != UInt8(ascii: "[")
    }

    func message(_ parts: SignedParts) -> [UInt8] {
        var message = (parts.url ?? "").bytes
        if Self.signsFormParameters(parts) {
            for (name, value) in FormParameters.decode(parts.body).sortedForTwilio() {
                message += name
                message += value
            }
        }
        return message
    }

    func messageDescription(_ parts: SignedParts) -> String {
        if Self.signsFormParameters(parts) {
            let count = FormParameters.decode(parts.body).count
            return "the URL '\(parts.url ?? "")' followed by the \(count) form parameters' names and values "
                + "sorted by name"
        }
        return "the URL '\(parts.url ?? "")' alone (the body is covered by its bodySHA256 query parameter)"
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Twilio-Signature", signature)])
    }
}
