/// What a rule does with the connection once the capture is stored.
public enum RuleAction: String, Sendable, Hashable, CaseIterable {
    /// Answer with the rule's status, headers and body (after its delay).
    case answer
    /// Close the connection without a byte of answer.
    case close
    /// Reset the connection (SO_LINGER 0, then close: the sender reads ECONNRESET).
    case reset
    /// Send nothing and keep the connection open until the sender gives up or the listener's idle timeout.
    case hang
}

/// One `[[endpoint.rule]]`: when its criteria match a request on its endpoint (and, with `failTimes`, while the
/// request's key has matched fewer times than that), it answers instead of the endpoint.
public struct ResponseRule: Sendable, Hashable {
    /// A configured header whose value is a template (the name is literal and checked at load).
    public struct HeaderTemplate: Sendable, Hashable {
        public var name: String
        public var value: ResponseTemplate

        public init(name: String, value: ResponseTemplate) {
            self.name = name
            self.value = value
        }
    }

    /// Bytes of a rendered body kept; beyond, the body is cut.
    public static let maximumBodySize = 64 << 10
    /// Bytes of one rendered header value kept; beyond, the value is cut (at a UTF-8 boundary).
    public static let maximumHeaderValueSize = 8 << 10
    /// Bytes of a rendered `fail_key` kept as they are; a longer key is stored as its SHA-256.
    public static let maximumKeySize = 256

    public var name: String
    public var criteria: CaptureCriteria
    /// Answer with this rule for the first `failTimes` matches of each key, then fall through; nil: always.
    public var failTimes: Int?
    /// What "each key" means; nil: one counter for the rule.
    public var failKey: ResponseTemplate?
    public var status: Int
    public var headers: [HeaderTemplate]
    public var body: ResponseTemplate
    public var delay: Duration
    public var action: RuleAction

    public init(
        name: String, criteria: CaptureCriteria = CaptureCriteria(), failTimes: Int? = nil,
        failKey: ResponseTemplate? = nil, status: Int = 200, headers: [HeaderTemplate] = [],
        body: ResponseTemplate = ResponseTemplate.empty, delay: Duration = .zero, action: RuleAction = .answer
    ) {
        self.name = name
        self.criteria = criteria
        self.failTimes = failTimes
        self.failKey = failKey
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.action = action
    }

    /// Whether the rule looks at the body: a `json` key, or a `{{json…}}` field in a template.
    public var readsBody: Bool {
        let templates = [body] + headers.map(\.value) + (failKey.map { [$0] } ?? [])
        return criteria.needsBody
            || templates.contains { template in
                template.parts.contains {
                    if case .field(.json) = $0 { return true }
                    return false
                }
            }
    }

    /// This rule's answer to `request`, every template resolved but `{{id}}`.
    public func answer(to request: RuleRequest) -> RuleAnswer {
        RuleAnswer(
            ruleName: name, action: action, status: status,
            headers: headers.map { ($0.name, $0.value.resolve(request, limit: Self.maximumHeaderValueSize)) },
            body: body.resolve(request, limit: Self.maximumBodySize), delay: delay)
    }

    /// The counter key for `request`: the rule's name (one line), a line feed, then the rendered `fail_key`;
    /// stored as its SHA-256 when longer than `maximumKeySize` or not NUL-free UTF-8 (SQLite text ends at a NUL).
    public func counterKey(for request: RuleRequest) -> String {
        var key = Array(name.utf8)
        if let failKey {
            key.append(UInt8(ascii: "\n"))
            key += failKey.render(request, id: 0, limit: 64 << 10)
        }
        guard key.count > Self.maximumKeySize || key.contains(0) || String(validating: key, as: UTF8.self) == nil
        else {
            return String(decoding: key, as: UTF8.self)
        }
        return "sha256:" + DigestHasher.digest(.sha256, key).hexString
    }
}

/// A rule's answer with every template resolved but the capture id; `response(id:)` finishes it.
public struct RuleAnswer: Sendable, Hashable {
    public var ruleName: String
    public var action: RuleAction
    public var status: Int
    public var headers: [Header]
    public var body: PendingText
    public var delay: Duration

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: PendingText
    }

    public init(
        ruleName: String, action: RuleAction, status: Int, headers: [(String, PendingText)], body: PendingText,
        delay: Duration
    ) {
        self.ruleName = ruleName
        self.action = action
        self.status = status
        self.headers = headers.map { Header(name: $0.0, value: $0.1) }
        self.body = body
        self.delay = delay
    }

    /// The answer for the capture stored as `id`. Header values are cut at `ResponseRule.maximumHeaderValueSize`
    /// and cleaned by bytes: CR, LF, NUL and every other control byte but tab are dropped, so request data cannot
    /// add a header line; a cut never splits a UTF-8 sequence.
    public func response(id: Int64) -> CaptureResponse {
        var headers = HeaderList()
        for header in self.headers {
            let value = Self.headerValue(header.value.render(id: id, limit: ResponseRule.maximumHeaderValueSize))
            headers.append(name: header.name, value: value)
        }
        return CaptureResponse(
            status: status, headers: headers, body: body.render(id: id, limit: ResponseRule.maximumBodySize),
            delay: delay)
    }

    /// Bytes a header value may hold: tab, space to `~`, and bytes of 0x80 and above (RFC 9110 field-value).
    static func headerValue(_ bytes: [UInt8]) -> String {
        var kept = bytes.filter { $0 == 0x09 || (0x20...0x7E).contains($0) || $0 >= 0x80 }
        // A cut may have left a partial UTF-8 sequence at the end (at most 3 bytes): drop it rather than send
        // U+FFFD; other invalid bytes are decoded with replacement.
        for _ in 0..<3 where String(validating: kept, as: UTF8.self) == nil && (kept.last ?? 0) >= 0x80 {
            kept.removeLast()
        }
        return String(decoding: kept, as: UTF8.self).trimmingSpaces()
    }
}

/// A rule that matched a request, as the store needs it to decide: with `counter`, it answers only while the
/// stored count for the key is below the limit (and the count goes up in the capture's transaction).
public struct RuleCandidate: Sendable, Hashable {
    public struct Counter: Sendable, Hashable {
        public var key: String
        public var limit: Int

        public init(key: String, limit: Int) {
            self.key = key
            self.limit = limit
        }
    }

    public var counter: Counter?
    public var answer: RuleAnswer

    public init(counter: Counter?, answer: RuleAnswer) {
        self.counter = counter
        self.answer = answer
    }
}

extension Array where Element == ResponseRule {
    /// The rules that match `request`, in order, up to and including the first without `failTimes` (which
    /// always answers): the store picks the first whose counter is below its limit. Empty: the endpoint answers.
    public func candidates(for request: RuleRequest) -> [RuleCandidate] {
        var candidates: [RuleCandidate] = []
        let subject = request.matchSubject
        for rule in self where rule.criteria.evaluate(subject).matched {
            let counter = rule.failTimes.map {
                RuleCandidate.Counter(key: rule.counterKey(for: request), limit: $0)
            }
            candidates.append(RuleCandidate(counter: counter, answer: rule.answer(to: request)))
            if counter == nil { break }
        }
        return candidates
    }
}
