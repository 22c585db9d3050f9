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

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        let url = SignatureFinding.MessagePart(.url, value: parts.url ?? "")
        if Self.signsFormParameters(parts) {
            return [
                url, SignatureFinding.MessagePart(.sortedFormParameters, size: FormParameters.decode(parts.body).count),
            ]
        }
        return [url, SignatureFinding.MessagePart(.bodyCoveredByQueryHash)]
    }

    /// Twilio's libraries accept the URL with and without the default port; so does hookstash.
    func urlForms(_ url: SignedURL) -> [SignedURL] { [url, url.withoutPort, url.withDefaultPort] }

    /// A JSON body is covered by the `bodySHA256` query parameter, not by the URL signature.
    func uncoveredBody(_ parts: SignedParts) -> SignatureFinding? {
        guard let url = parts.url, let claimed = FormParameters.value(of: "bodySHA256", inQueryOf: url) else {
            return nil
        }
        let actual = DigestHasher.digest(.sha256, parts.body).hexString
        guard claimed.lowercased() != actual else { return nil }
        var finding = SignatureFinding(.bodyHashMismatch)
        finding.bodySHA256 = actual
        finding.claimedBodySHA256 = claimed
        return finding
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Twilio-Signature", signature)])
    }
}
