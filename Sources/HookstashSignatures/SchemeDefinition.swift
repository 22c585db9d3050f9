import HookstashCore

/// How a MAC is written in a header.
enum SignatureEncoding: Sendable, Hashable {
    case hex
    case base64

    var name: String {
        switch self {
        case .hex: "hex"
        case .base64: "base64"
        }
    }

    func encode(_ mac: [UInt8]) -> String {
        switch self {
        case .hex: mac.hexString
        case .base64: Base64.encode(mac)
        }
    }

    func decode(_ text: String) -> [UInt8]? {
        switch self {
        case .hex: [UInt8](hexString: text)
        case .base64: Base64.decode(text)
        }
    }
}

/// What a scheme read from a request's headers.
struct SignatureReading: Sendable {
    /// The header the signature came from, spelled as the provider documents it.
    var header: String
    /// The header value as received.
    var received: String
    /// The signatures to compare with, as encoded text without any prefix (`sha256=`, `v1=`). Empty when the header
    /// is present but holds nothing in the expected form.
    var signatures: [String]
    /// The timestamp text as it enters the signed message, when the scheme has one.
    var timestamp: String?
    /// The header the timestamp came from, for warnings.
    var timestampHeader: String?
    /// Facts about the headers that do not change the status.
    var warnings: [SignatureFinding] = []
}

/// The inputs of a signed message; the diagnosis varies one of them at a time.
struct SignedParts: Sendable {
    var method: String
    var body: [UInt8]
    var timestamp: String?
    /// The full URL the sender signed, for schemes that sign it.
    var url: String?
    /// `webhook-id` for Standard Webhooks.
    var messageID: String?
    var contentType: String?
}

/// One provider's signing scheme: where the signature is, what is signed, how it is keyed and written.
protocol SchemeDefinition: Sendable {
    var scheme: SignatureScheme { get }
    /// `Front`, `GitHub`: for sentences.
    var provider: String { get }
    var algorithm: DigestAlgorithm { get }
    var encoding: SignatureEncoding { get }
    /// How the scheme writes a MAC, for findings.
    var written: SignatureFinding.Written { get }
    /// What precedes the encoded MAC in the header (`sha256=`, `v1,`), empty when nothing does.
    var prefix: String { get }
    /// Header names the sender adds.
    var headerNames: [String] { get }
    /// The timestamp tolerance the provider documents, and who enforces it.
    var tolerance: SignatureFinding.Tolerance? { get }
    /// Whether the timestamp is in milliseconds rather than seconds.
    var timestampInMilliseconds: Bool { get }

    func isPresent(in headers: HeaderList) -> Bool
    /// The variant of the scheme the headers call for (GitHub's legacy SHA-1 header); `self` for most schemes.
    func fitted(to headers: HeaderList) -> any SchemeDefinition
    /// nil when the request carries no signature header for this scheme.
    func read(_ headers: HeaderList) -> SignatureReading?
    /// The HMAC key for a configured secret; nil when the secret cannot be one (reported by `keyProblem`).
    func key(secret: String) -> [UInt8]?
    /// Whether a configured secret cannot key this scheme's HMAC at all (reported as `secret_unusable`).
    func keyIsUnusable(secret: String) -> Bool
    func message(_ parts: SignedParts) -> [UInt8]
    /// What the message is made of, for a diagnosis that found nothing.
    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart]

    // What the diagnosis and the verifier ask of a scheme beyond its message: each has a default that fits most.
    /// Another scheme that hashes with `algorithm`, worth suggesting when it matches (Front rule ↔ app).
    func suggestedScheme(for algorithm: DigestAlgorithm) -> SignatureScheme?
    /// How the scheme keys a `whsec_` secret, when it uses them.
    var secretPrefixRule: SecretPrefixRule? { get }
    /// The request as signed under the other side of a method rule (Front's `undefined`), with the finding it makes.
    func methodVariant(_ parts: SignedParts) -> (parts: SignedParts, code: SignatureFinding.Code)?
    /// The forms of the signed URL a valid signature may cover (Twilio: with and without the default port).
    func urlForms(_ url: SignedURL) -> [SignedURL]
    /// What a matching signature leaves unchecked and the body contradicts (Twilio's `bodySHA256`).
    func uncoveredBody(_ parts: SignedParts) -> SignatureFinding?
    /// The answer to the provider's handshake request, when `headers` make one (Front's challenge).
    func handshakeResponse(to headers: HeaderList) -> CaptureResponse?
    /// The header lines a sender adds, given the encoded signature.
    func headers(signature: String, parts: SignedParts) -> HeaderList
}

extension SchemeDefinition {
    var prefix: String { "" }
    var tolerance: SignatureFinding.Tolerance? { nil }
    var written: SignatureFinding.Written { SignatureFinding.Written(encoding: encoding.name, prefix: prefix) }
    var timestampInMilliseconds: Bool { false }

    func isPresent(in headers: HeaderList) -> Bool { read(headers) != nil }
    func fitted(to headers: HeaderList) -> any SchemeDefinition { self }

    func key(secret: String) -> [UInt8]? { Array(secret.utf8) }
    func keyIsUnusable(secret: String) -> Bool { false }

    func suggestedScheme(for algorithm: DigestAlgorithm) -> SignatureScheme? { nil }
    var secretPrefixRule: SecretPrefixRule? { nil }
    func methodVariant(_ parts: SignedParts) -> (parts: SignedParts, code: SignatureFinding.Code)? { nil }
    func urlForms(_ url: SignedURL) -> [SignedURL] { [url] }
    func uncoveredBody(_ parts: SignedParts) -> SignatureFinding? { nil }
    func handshakeResponse(to headers: HeaderList) -> CaptureResponse? { nil }

    /// The encoded MAC with the scheme's prefix, as the header would show it.
    func written(_ mac: [UInt8]) -> String { prefix + encoding.encode(mac) }
}

/// How a scheme keys the HMAC with a `whsec_` secret.
enum SecretPrefixRule: Sendable {
    /// The whole text, `whsec_` included (Stripe).
    case keyWithWholeText
    /// The base64 after `whsec_`, decoded (Standard Webhooks).
    case decodeAfterPrefix
}

extension SignatureFinding {
    /// The timestamp a scheme signs is absent from `header` (or from its `field`).
    static func timestampAbsent(header: String, field: String? = nil) -> SignatureFinding {
        var finding = SignatureFinding(.timestampAbsent)
        finding.header = header
        finding.field = field
        return finding
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
