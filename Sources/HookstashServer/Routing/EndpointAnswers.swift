import HookstashCore
import HookstashStore
import NIOConcurrencyHelpers

/// The answers of the configured endpoints — each endpoint's response and response rules — held so that a reload
/// (SIGHUP) can replace them at once: a request is answered wholly from the old or wholly from the new file.
/// Signature checks, secrets and forward targets are not part of it (they stay as started).
public final class EndpointAnswers: Sendable {
    private let configuration: NIOLockedValueBox<ConfigurationFile>
    public let defaultResponse: CaptureResponse

    public init(_ configuration: ConfigurationFile, defaultResponse: CaptureResponse) {
        self.configuration = NIOLockedValueBox(configuration)
        self.defaultResponse = defaultResponse
    }

    /// From the next request on, answers come from `configuration`.
    public func replace(with configuration: ConfigurationFile) {
        self.configuration.withLockedValue { $0 = configuration }
    }

    public var current: ConfigurationFile { configuration.withLockedValue { $0 } }

    /// The configured answer for `path`: its endpoint's, else the default.
    public func response(forPath path: String) -> CaptureResponse {
        current.endpoint(forPath: path)?.response ?? defaultResponse
    }

    /// The response rules of the endpoint covering `path`, in order; empty when none.
    public func rules(forPath path: String) -> [ResponseRule] {
        current.endpoint(forPath: path)?.rules ?? []
    }
}

/// Finds, on the writer's thread, the response rules a capture matches (the store then picks one with its
/// counters, in the capture's transaction). No rules on the path: no work beyond the lookup.
public struct ResponseRuleCheck: Sendable {
    public let answers: EndpointAnswers
    public let store: CaptureStore
    /// Spilled bodies larger than this are not read back (JSON is not parsed beyond it either): json keys miss and
    /// json fields render empty.
    public var maxReadBodySize = Int64(JSONValueReader.maximumSize)

    public init(answers: EndpointAnswers, store: CaptureStore) {
        self.answers = answers
        self.store = store
    }

    public func candidates(for capture: Capture) -> [RuleCandidate] {
        // Refused requests get their refusal; the provider's handshake goes first.
        guard capture.problem == nil, capture.answeredBy != .challenge else { return [] }
        let rules = answers.rules(forPath: capture.target.path)
        guard !rules.isEmpty else { return [] }
        // The body is read (and parsed as JSON) only when a rule looks at it.
        let readsBody = rules.contains(where: \.readsBody)
        var body = readsBody ? capture.body.inlineBytes : nil
        if body == nil, readsBody, capture.body.size <= maxReadBodySize {
            body = try? store.bytes(of: capture.body)
        }
        return rules.candidates(
            for: RuleRequest(
                method: capture.method, target: capture.target, headers: capture.headers, body: body,
                signature: capture.signature?.status))
    }
}
