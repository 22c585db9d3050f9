/// The capture as JSON, in the shape `hookstash show --json` and `GET /api/captures/{id}` return
/// (documented in INTERFACE.md; fields may be added, never removed).
public struct CaptureDocument: Encodable, Sendable {
    public var id: Int64
    public var receivedAt: Timestamp
    public var remoteAddress: String
    public var method: String
    public var target: String
    public var path: String
    public var query: String?
    public var httpVersion: String
    public var headers: HeaderList
    public var bodySize: Int64
    public var bodySHA256: String
    /// Omitted when the body bytes were not loaded (`includeBody: false`).
    public var bodyBase64: String?
    /// Present when the body is valid UTF-8.
    public var bodyText: String?
    public var malformed: Bool
    /// Why the request was not answered normally; JSON shows its sentence as `problem`, its code as
    /// `problem_code` and the code with its parameters as `problem_detail`.
    public var problem: CaptureProblem?
    public var announcedBodySize: Int64?
    public var responseStatus: Int
    public var signature: SignatureVerdict?
    public var deliveries: [DeliveryDocument]
    public var answeredBy: AnsweredBy?
    public var rule: String?

    /// `body` is the decoded body's bytes, or nil to leave the body fields out.
    public init(_ capture: Capture, body: [UInt8]?) {
        id = capture.id
        receivedAt = capture.receivedAt
        remoteAddress = capture.remoteAddress
        method = capture.method
        target = capture.target.raw
        path = capture.target.path
        query = capture.target.query
        httpVersion = capture.httpVersion
        headers = capture.headers
        bodySize = capture.bodySize
        bodySHA256 = capture.bodySHA256
        bodyBase64 = body.map { Base64.encode($0) }
        bodyText = body.flatMap { String(validating: $0, as: UTF8.self) }
        malformed = capture.malformed
        problem = capture.problem
        announcedBodySize = capture.announcedBodySize
        responseStatus = capture.responseStatus
        signature = capture.signature
        deliveries = capture.deliveries.map(DeliveryDocument.init)
        answeredBy = capture.answeredBy
        rule = capture.rule
    }

    enum CodingKeys: String, CodingKey {
        case id
        case receivedAt = "received_at"
        case remoteAddress = "remote_address"
        case method, target, path, query
        case httpVersion = "http_version"
        case headers
        case bodySize = "body_size"
        case bodySHA256 = "body_sha256"
        case bodyBase64 = "body_base64"
        case bodyText = "body_text"
        case malformed, problem
        case problemCode = "problem_code"
        case problemDetail = "problem_detail"
        case announcedBodySize = "announced_body_size"
        case responseStatus = "response_status"
        case signature, deliveries
        case answeredBy = "answered_by"
        case rule
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(remoteAddress, forKey: .remoteAddress)
        try container.encode(method, forKey: .method)
        try container.encode(target, forKey: .target)
        try container.encode(path, forKey: .path)
        try container.encode(query, forKey: .query)
        try container.encode(httpVersion, forKey: .httpVersion)
        try container.encode(headers, forKey: .headers)
        try container.encode(bodySize, forKey: .bodySize)
        try container.encode(bodySHA256, forKey: .bodySHA256)
        try container.encodeIfPresent(bodyBase64, forKey: .bodyBase64)
        try container.encodeIfPresent(bodyText, forKey: .bodyText)
        try container.encode(malformed, forKey: .malformed)
        let wording = encoder.userInfo[Wording.userInfoKey] as? Wording ?? .standard
        try container.encode(problem.map(wording.sentence), forKey: .problem)
        try container.encode(problem?.code, forKey: .problemCode)
        try container.encode(problem, forKey: .problemDetail)
        try container.encode(announcedBodySize, forKey: .announcedBodySize)
        try container.encode(responseStatus, forKey: .responseStatus)
        try container.encode(signature, forKey: .signature)
        try container.encode(deliveries, forKey: .deliveries)
        try container.encode(answeredBy, forKey: .answeredBy)
        try container.encode(rule, forKey: .rule)
    }
}

/// A delivery inside the capture JSON.
public struct DeliveryDocument: Encodable, Sendable {
    public var id: Int64
    public var to: String
    public var at: Timestamp
    public var status: Int?
    public var durationMs: Double
    public var error: String?
    public var resigned: Bool

    public init(_ delivery: Delivery) {
        id = delivery.id
        to = delivery.to
        at = delivery.at
        status = delivery.status
        durationMs = delivery.durationMs
        error = delivery.error
        resigned = delivery.resigned
    }

    enum CodingKeys: String, CodingKey {
        case id, to, at, status
        case durationMs = "duration_ms"
        case error, resigned
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(to, forKey: .to)
        try container.encode(at, forKey: .at)
        try container.encode(status, forKey: .status)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(error, forKey: .error)
        try container.encode(resigned, forKey: .resigned)
    }
}

/// A capture summary in `hookstash list --json` and `/api/captures`.
public struct CaptureSummaryDocument: Encodable, Sendable {
    public var summary: CaptureSummary

    public init(_ summary: CaptureSummary) {
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case id
        case receivedAt = "received_at"
        case remoteAddress = "remote_address"
        case method, target, path
        case bodySize = "body_size"
        case malformed
        case responseStatus = "response_status"
        case signature
        case signatureScheme = "signature_scheme"
        case deliveries
        case lastDeliveryStatus = "last_delivery_status"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(summary.id, forKey: .id)
        try container.encode(summary.receivedAt, forKey: .receivedAt)
        try container.encode(summary.remoteAddress, forKey: .remoteAddress)
        try container.encode(summary.method, forKey: .method)
        try container.encode(summary.target.raw, forKey: .target)
        try container.encode(summary.target.path, forKey: .path)
        try container.encode(summary.bodySize, forKey: .bodySize)
        try container.encode(summary.malformed, forKey: .malformed)
        try container.encode(summary.responseStatus, forKey: .responseStatus)
        try container.encode((summary.signatureStatus ?? .unchecked).rawValue, forKey: .signature)
        try container.encode(summary.signatureScheme, forKey: .signatureScheme)
        try container.encode(summary.deliveryCount, forKey: .deliveries)
        try container.encode(summary.lastDeliveryStatus, forKey: .lastDeliveryStatus)
    }
}
