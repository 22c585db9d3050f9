import HookstashCore
import HookstashSignatures

/// Recomputes a request's signature headers as the sender would, with another secret and a fresh timestamp
/// (`replay --resign`, `"resign": true` in the API, `send`).
public struct Resigner: Sendable {
    /// Which captures are re-signed. Re-signing gives a valid signature, under the configured secret, to whatever
    /// the capture holds: only captures whose signature was verified are, unless asked.
    public enum Requirement: Sendable, Hashable {
        /// The capture's stored verdict must be `valid` (`replay --resign`, the inspector's replay).
        case storedVerdictValid
        /// The capture's signature must verify with `secret` (`pull --resign`: the remote's verdict is not trusted).
        case verifiesWithSecret
        /// Any capture (`--resign-unverified`, `"resign_unverified": true`).
        case none
    }

    /// The scheme to sign with; nil: the capture's verdict, else whatever its headers show.
    public var scheme: SignatureScheme?
    public var secret: String
    public var requirement: Requirement
    public var now: @Sendable () -> Timestamp

    public init(
        scheme: SignatureScheme? = nil, secret: String, requirement: Requirement = .storedVerdictValid,
        now: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.scheme = scheme
        self.secret = secret
        self.requirement = requirement
        self.now = now
    }

    /// The scheme for `capture`; throws `ResignProblem.schemeUnknown` when nothing names one.
    public func scheme(for capture: Capture) throws(ResignProblem) -> SignatureScheme {
        if let scheme { return scheme }
        if let name = capture.signature?.scheme, let scheme = SignatureScheme(rawValue: name) { return scheme }
        if let scheme = SignatureScheme.detect(in: capture.headers) { return scheme }
        throw ResignProblem(.schemeUnknown, captureID: capture.id)
    }

    /// Replaces the signature headers of `request` (in place, keeping their position) with new ones. Throws
    /// `ResignRefusal` when the capture does not meet `requirement`.
    public func apply(to request: inout OutgoingRequest, capture: Capture) throws {
        let scheme = try scheme(for: capture)
        try checkRequirement(capture, body: request.body, scheme: scheme)
        try sign(&request, scheme: scheme)
    }

    /// Throws `ResignRefusal` unless `capture` may be re-signed.
    func checkRequirement(_ capture: Capture, body: [UInt8], scheme: SignatureScheme) throws {
        switch requirement {
        case .none:
            return
        case .storedVerdictValid:
            guard capture.signature?.status == .valid else {
                throw ResignRefusal(captureID: capture.id, status: capture.signature?.status)
            }
        case .verifiesWithSecret:
            let verdict = SignatureVerifier.verify(
                SignatureRequest(capture: capture, body: body),
                policy: SignaturePolicy(scheme: .scheme(scheme), secrets: [secret]))
            guard verdict.status == .valid else {
                throw ResignRefusal(captureID: capture.id, status: verdict.status)
            }
        }
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
                request.changes.append(RequestChange(.requestTargetSignsBodyHash, value: target))
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
            RequestChange(
                .resigned, value: headers.fields.map(\.name).joined(separator: ", "), scheme: scheme.rawValue))
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
