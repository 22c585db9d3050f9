import HookstashCore

/// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`; the legacy `X-Hub-Signature:
/// sha1=<hex>` is checked when it is the only one present.
struct GitHubScheme: SchemeDefinition {
    /// Set when only the legacy SHA-1 header is present.
    var legacy = false

    var scheme: SignatureScheme { .github }
    var provider: String { "GitHub" }
    var algorithm: DigestAlgorithm { legacy ? .sha1 : .sha256 }
    var encoding: SignatureEncoding { .hex }
    var prefix: String { legacy ? "sha1=" : "sha256=" }
    var headerNames: [String] { ["X-Hub-Signature", "X-Hub-Signature-256"] }

    func isPresent(in headers: HeaderList) -> Bool {
        headers.contains("X-Hub-Signature-256") || headers.contains("X-Hub-Signature")
    }

    /// The variant that fits the headers: SHA-256 unless only the legacy header is there.
    func fitted(to headers: HeaderList) -> any SchemeDefinition {
        GitHubScheme(legacy: !headers.contains("X-Hub-Signature-256") && headers.contains("X-Hub-Signature"))
    }

    func read(_ headers: HeaderList) -> SignatureReading? {
        let name = legacy ? "X-Hub-Signature" : "X-Hub-Signature-256"
        guard let value = headers.first(name) else { return nil }
        let trimmed = value.trimmingSpaces()
        var signatures: [String] = []
        if trimmed.lowercased().hasPrefix(prefix) { signatures.append(String(trimmed.dropFirst(prefix.count))) }
        var reading = SignatureReading(header: name, received: value, signatures: signatures)
        if legacy {
            var warning = SignatureFinding(.legacyHeaderOnly)
            warning.header = "X-Hub-Signature"
            warning.algorithm = .sha1
            warning.provider = provider
            warning.expectedHeader = "X-Hub-Signature-256"
            reading.warnings.append(warning)
        }
        return reading
    }

    func message(_ parts: SignedParts) -> [UInt8] { parts.body }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] { [.rawBody(size: parts.body.count)] }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        // GitHub sends both; the caller passes the SHA-256 signature and the SHA-1 one is added by the signer.
        HeaderList([("X-Hub-Signature-256", signature)])
    }
}
