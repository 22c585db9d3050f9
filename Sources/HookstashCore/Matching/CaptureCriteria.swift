/// Match keys ANDed together; no key matches everything.
public struct CaptureCriteria: Sendable, Hashable {
    public var criteria: [CaptureCriterion]

    public init(_ criteria: [CaptureCriterion] = []) {
        self.criteria = criteria
    }

    /// Whether a json criterion needs the body (callers may skip loading it otherwise).
    public var needsBody: Bool {
        criteria.contains {
            if case .json = $0 { return true }
            return false
        }
    }

    /// Every criterion the subject fails, in the criteria's order. Never throws; time and memory bounded by the
    /// body's size (parsed once, when a json criterion needs it and it is at most `JSONValueReader.maximumSize`).
    public func evaluate(_ subject: MatchSubject) -> MatchOutcome {
        var document = ParsedBody.notRead
        var misses: [CriterionMiss] = []
        for criterion in criteria {
            if let miss = Self.miss(criterion, subject, &document) { misses.append(miss) }
        }
        return MatchOutcome(misses: misses)
    }

    private enum ParsedBody {
        case notRead
        case unavailable
        case notJSON
        case parsed(JSONValue)
    }

    private static func miss(_ criterion: CaptureCriterion, _ subject: MatchSubject, _ document: inout ParsedBody)
        -> CriterionMiss?
    {
        func failed(_ code: CriterionMiss.Code, _ actual: some Collection<UInt8>) -> CriterionMiss {
            CriterionMiss(code: code, criterion: criterion, actual: Array(actual))
        }
        switch criterion {
        case .method(let method):
            return subject.method == method ? nil : failed(.methodDiffers, subject.method.utf8)
        case .path(let glob):
            let path = subject.target.path
            return glob.matches(path) ? nil : failed(.pathDiffers, path.utf8)
        case .header(let name, let glob):
            let values = subject.headers.values(name)
            guard let first = values.first else {
                return CriterionMiss(code: .headerMissing, criterion: criterion, actual: nil)
            }
            return values.contains { glob.matches($0) } ? nil : failed(.headerDiffers, first.utf8)
        case .query(let name, let glob):
            let values = QueryParameters(subject.target.query).values(name)
            guard let first = values.first else {
                return CriterionMiss(code: .queryMissing, criterion: criterion, actual: nil)
            }
            return values.contains { glob.matches($0) } ? nil : failed(.queryDiffers, first)
        case .json(let pointer, let glob):
            if case .notRead = document {
                if let body = subject.body, body.count <= JSONValueReader.maximumSize {
                    document =
                        JSONValue.parse(body, sizeLimit: JSONValueReader.maximumSize).map { .parsed($0) } ?? .notJSON
                } else {
                    document = .unavailable
                }
            }
            switch document {
            case .notRead, .unavailable:
                return CriterionMiss(code: .bodyUnavailable, criterion: criterion, actual: nil)
            case .notJSON:
                return CriterionMiss(code: .jsonNotJSON, criterion: criterion, actual: nil)
            case .parsed(let value):
                guard let found = value.value(at: pointer) else {
                    return CriterionMiss(code: .jsonPointerMissing, criterion: criterion, actual: nil)
                }
                let text = found.matchText
                return glob.matches(text) ? nil : failed(.jsonDiffers, text.utf8)
            }
        case .signature(let wanted):
            guard !wanted.matches(subject.signature) else { return nil }
            return failed(.signatureDiffers, (subject.signature?.rawValue ?? "unchecked").utf8)
        }
    }
}

/// What a criterion looks at: built from a stored `Capture` (and its body) or from a request being answered.
public struct MatchSubject: Sendable {
    public var method: String
    public var target: RequestTarget
    public var headers: HeaderList
    /// The decoded body; nil when it was not loaded (too large), which json criteria report as `bodyUnavailable`.
    public var body: [UInt8]?
    /// nil: no signature scheme checked the request.
    public var signature: SignatureVerdict.Status?

    public init(
        method: String, target: RequestTarget, headers: HeaderList, body: [UInt8]?,
        signature: SignatureVerdict.Status?
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.signature = signature
    }

    /// `body`: the capture's decoded body, when loaded (`capture.body.inlineBytes` is used when nil is passed and
    /// the body is held in memory).
    public init(capture: Capture, body: [UInt8]?) {
        self.init(
            method: capture.method, target: capture.target, headers: capture.headers,
            body: body ?? capture.body.inlineBytes, signature: capture.signature?.status)
    }
}

public struct MatchOutcome: Sendable, Hashable {
    public var misses: [CriterionMiss]
    public var matched: Bool { misses.isEmpty }

    public init(misses: [CriterionMiss]) {
        self.misses = misses
    }
}

/// Why one criterion did not match: typed, rendered to a sentence only by `Wording`
/// (`/type is 'invoice.created', wanted invoice.*`).
public struct CriterionMiss: Sendable, Hashable {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case methodDiffers = "method_differs"
        case pathDiffers = "path_differs"
        case headerMissing = "header_missing"
        case headerDiffers = "header_differs"
        case queryMissing = "query_missing"
        case queryDiffers = "query_differs"
        case jsonNotJSON = "json_not_json"
        case jsonPointerMissing = "json_pointer_missing"
        case jsonDiffers = "json_differs"
        case bodyUnavailable = "body_unavailable"
        case signatureDiffers = "signature_differs"
    }

    /// At most this many bytes of `actual` are kept.
    public static let maximumActualSize = 200

    public var code: Code
    public var criterion: CaptureCriterion
    /// What was there, as text (bytes that are not UTF-8 become U+FFFD); at most `maximumActualSize` bytes, cut at
    /// a UTF-8 boundary (`actualWasCut` then says so). Not made safe for any display: callers escape it.
    public var actual: String?
    public var actualWasCut: Bool

    public init(code: Code, criterion: CaptureCriterion, actual: String?, actualWasCut: Bool = false) {
        self.code = code
        self.criterion = criterion
        self.actual = actual
        self.actualWasCut = actualWasCut
    }

    /// `actual` from bytes, bounded.
    public init(code: Code, criterion: CaptureCriterion, actual bytes: [UInt8]) {
        let (text, cut) = Self.bounded(bytes)
        self.init(code: code, criterion: criterion, actual: text, actualWasCut: cut)
    }

    static func bounded(_ bytes: [UInt8]) -> (String, Bool) {
        // Decode first so that invalid bytes are replaced, then cut the result at a scalar boundary.
        let decoded = String(decoding: bytes.prefix(maximumActualSize + 4), as: UTF8.self)
        var kept = String.UnicodeScalarView()
        var size = 0
        for scalar in decoded.unicodeScalars {
            let scalarSize = UTF8.width(scalar)
            guard size + scalarSize <= maximumActualSize else { return (String(kept), true) }
            kept.append(scalar)
            size += scalarSize
        }
        return (String(kept), bytes.count > maximumActualSize)
    }
}
