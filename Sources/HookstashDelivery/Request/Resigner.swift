import HookstashCore
import HookstashSignatures

/// Recomputes a request's signature headers as the sender would, with another secret and a fresh timestamp
/// (`replay --resign`, `"resign": true` in the API, `send`).
public struct Resigner: Sendable {
    /// The scheme to sign with; nil: the capture's verdict, else whatever its headers show.
    public var scheme: SignatureScheme?
    public var secret: String
    public var now: @Sendable () -> Timestamp

    public init(scheme: SignatureScheme? = nil, secret: String, now: @escaping @Sendable () -> Timestamp = { .now() }) {
        self.scheme = scheme
        self.secret = secret
        self.now = now
    }

    /// The scheme for `capture`, or an error saying how to name one.
    public func scheme(for capture: Capture) throws -> SignatureScheme {
        if let scheme { return scheme }
        if let name = capture.signature?.scheme, let scheme = SignatureScheme(rawValue: name) { return scheme }
        if let scheme = SignatureScheme.detect(in: capture.headers) { return scheme }
        throw HookstashError.invalidInput(
            "capture \(capture.id) carries no signature header hookstash recognises; name the scheme with --scheme")
    }

    /// Replaces the signature headers of `request` (in place, keeping their position) with new ones.
    public func apply(to request: inout OutgoingRequest, capture: Capture) throws {
        try sign(&request, scheme: scheme(for: capture))
    }

    /// Signs `request` with `scheme`: replaces or appends the scheme's headers and, for Twilio with a JSON body,
    /// adds the `bodySHA256` query parameter Twilio signs.
    public func sign(_ request: inout OutgoingRequest, scheme: SignatureScheme) throws {
        let contentType = request.headers.first("Content-Type")
        var url: String?
        if scheme.signsURL {
            let signedURL = SignatureSigner.deliveryURL(
                scheme: scheme, url: request.url, body: request.body, method: request.method, contentType: contentType)
            if signedURL != request.url, let target = Self.requestTarget(of: signedURL) {
                request.changes.append("request-target \(target) (Twilio signs the body's SHA-256 in the query)")
                request.requestTarget = target
            }
            url = signedURL
        }
        let headers = try SignatureSigner.headers(
            scheme: scheme, secret: secret, body: request.body, timestamp: now(), method: request.method, url: url,
            contentType: contentType,
            messageID: scheme == .standardWebhooks ? request.headers.first("webhook-id") : nil)
        for field in headers {
            if request.headers.values(field.name) != [field.value] {
                request.headers.replace(field.name, with: field.value)
            }
        }
        for name in scheme.headerNames where !headers.contains(name) {
            request.headers.remove(name)
        }
        request.changes.append(
            "\(headers.fields.map(\.name).joined(separator: ", ")) re-signed (\(scheme), fresh timestamp)")
        request.resigned = true
    }

    /// `/path?query` of an absolute URL.
    static func requestTarget(of url: String) -> String? {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let rest = url[separator.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let target = String(rest[slash...])
        return target.hasPrefix("?") ? "/" + target : target
    }
}

extension Resigner {
    /// The transform a `Replayer` or `ForwardQueue` applies to each request.
    public var transform: Replayer.Transform {
        { capture, request in try self.apply(to: &request, capture: capture) }
    }
}
