import HookstashCore
import HookstashSignatures
import HookstashStore

/// Picks, for each captured path, how it is checked and answered: the config endpoint with the longest prefix
/// covering it, else the defaults (the default signature policy, answer and forward target).
public struct EndpointRouter: Sendable {
    public struct Route: Sendable {
        public var endpoint: EndpointConfiguration?
        public var policy: SignaturePolicy
        public var response: CaptureResponse
        public var forward: String?
    }

    public let configuration: ConfigurationFile
    public let fallback: Route
    private let routes: [String: Route]

    public init(
        configuration: ConfigurationFile = ConfigurationFile(), defaultPolicy: SignaturePolicy,
        defaultResponse: CaptureResponse, defaultForward: String? = nil
    ) {
        self.configuration = configuration
        self.fallback = Route(endpoint: nil, policy: defaultPolicy, response: defaultResponse, forward: defaultForward)
        var routes: [String: Route] = [:]
        for endpoint in configuration.endpoints {
            routes[endpoint.pathPrefix] = Route(
                endpoint: endpoint, policy: SignaturePolicy(endpoint: endpoint, in: configuration),
                response: endpoint.response, forward: endpoint.forward)
        }
        self.routes = routes
    }

    public func route(forPath path: String) -> Route {
        guard let endpoint = configuration.endpoint(forPath: path), let route = routes[endpoint.pathPrefix] else {
            return fallback
        }
        return route
    }

    /// Every forward target named by the defaults or an endpoint.
    public var forwardTargets: [String] {
        var targets: [String] = []
        for target in [fallback.forward] + configuration.endpoints.map(\.forward) {
            if let target, !targets.contains(target) { targets.append(target) }
        }
        return targets
    }
}

/// Computes each capture's signature verdict on the writer's thread, before it is stored.
public struct CaptureSignatureCheck: Sendable {
    public let router: EndpointRouter
    public let store: CaptureStore
    /// Bodies larger than this (spilled to disk) are not read back to verify.
    public var maxVerifiedBodySize: Int64 = 32 << 20

    public init(router: EndpointRouter, store: CaptureStore) {
        self.router = router
        self.store = store
    }

    public func annotate(_ capture: inout Capture) {
        // Refused and cut-off requests are not what the sender meant to sign.
        guard capture.problem == nil else { return }
        let policy = router.route(forPath: capture.target.path).policy
        let body: [UInt8]
        if let bytes = capture.body.inlineBytes {
            body = bytes
        } else if capture.body.size <= maxVerifiedBodySize, let bytes = try? store.bytes(of: capture.body) {
            body = bytes
        } else {
            var tooLarge = SignatureFinding(.bodyTooLargeToVerify)
            tooLarge.bodySize = capture.body.size
            capture.signature = SignatureVerdict(
                scheme: "\(policy.scheme)", status: .unchecked, warnings: [tooLarge])
            return
        }
        capture.signature = SignatureVerifier.verify(SignatureRequest(capture: capture, body: body), policy: policy)
    }
}
