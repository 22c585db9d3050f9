/// One request as it arrived at the capture listener: the exact bytes, the parsed view beside them,
/// and what hookstash learned about it (signature verdict, deliveries).
public struct Capture: Sendable, Hashable {
    /// Store-assigned, increasing in arrival order. 0 until stored.
    public var id: Int64
    public var receivedAt: Timestamp
    /// `host:port` of the peer (`[v6]:port` for IPv6).
    public var remoteAddress: String
    public var method: String
    public var target: RequestTarget
    /// `HTTP/1.1`, `HTTP/1.0`, or whatever the request line said when it was malformed.
    public var httpVersion: String
    public var headers: HeaderList
    /// The decoded body (chunk framing removed).
    public var body: BodyBytes
    public var bodySHA256: String
    /// The request line and header block exactly as received, through the blank line.
    public var rawHead: [UInt8]
    /// The body in its original framing when that differs from `body` (chunked transfer coding); nil otherwise.
    public var rawBody: BodyBytes?
    /// The request could not be parsed as HTTP/1.x; `rawHead` then holds every byte that arrived.
    public var malformed: Bool
    /// Why the request was not answered normally (malformed, too large, timed out).
    public var problem: CaptureProblem?
    /// The size the request announced in `Content-Length`, when it was refused for being too large.
    public var announcedBodySize: Int64?
    /// The status the capture listener answered with.
    public var responseStatus: Int
    public var signature: SignatureVerdict?
    public var deliveries: [Delivery]
    /// What chose the answer; nil for captures stored before hookstash recorded it, and for requests cut off
    /// without an answer.
    public var answeredBy: AnsweredBy?
    /// The response rule that answered, when `answeredBy` is `.rule`.
    public var rule: String?

    public init(
        id: Int64 = 0,
        receivedAt: Timestamp,
        remoteAddress: String,
        method: String,
        target: RequestTarget,
        httpVersion: String,
        headers: HeaderList,
        body: BodyBytes,
        bodySHA256: String,
        rawHead: [UInt8],
        rawBody: BodyBytes? = nil,
        malformed: Bool = false,
        problem: CaptureProblem? = nil,
        announcedBodySize: Int64? = nil,
        responseStatus: Int,
        signature: SignatureVerdict? = nil,
        deliveries: [Delivery] = []
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.remoteAddress = remoteAddress
        self.method = method
        self.target = target
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.bodySHA256 = bodySHA256
        self.rawHead = rawHead
        self.rawBody = rawBody
        self.malformed = malformed
        self.problem = problem
        self.announcedBodySize = announcedBodySize
        self.responseStatus = responseStatus
        self.signature = signature
        self.deliveries = deliveries
        self.answeredBy = nil
        self.rule = nil
    }

    public var bodySize: Int64 { body.size }
}

/// What chose a capture's answer (the names docs/cli.md reserved for the capture JSON's `answered_by`), in the order
/// the listener tries them.
public enum AnsweredBy: String, Sendable, Hashable, Codable, CaseIterable {
    /// The provider's handshake (a Front challenge), answered before anything else.
    case challenge
    /// A response rule of the endpoint (`Capture.rule` names it).
    case rule
    /// `--forward-sync`: the forward target's answer (when it gave none, the capture says `configured`).
    case forward
    /// The configured answer: the endpoint's `[endpoint.response]`, or the command line's for paths no endpoint
    /// covers.
    case configured
    /// The request was refused (400, 408, 413, 431, …) with its problem.
    case refusal
}

/// Body bytes, held in memory or spilled to a file beside the database (large uploads never sit in memory).
public enum BodyBytes: Sendable, Hashable {
    case inline([UInt8])
    /// A file in the store's body directory, named relative to it.
    case file(name: String, size: Int64)

    public static let empty = BodyBytes.inline([])

    public var size: Int64 {
        switch self {
        case .inline(let bytes): Int64(bytes.count)
        case .file(_, let size): size
        }
    }

    /// The bytes when they are in memory.
    public var inlineBytes: [UInt8]? {
        if case .inline(let bytes) = self { return bytes }
        return nil
    }
}

/// One line of `hookstash list`, one entry of `/api/captures`: what can be shown without loading bodies.
public struct CaptureSummary: Sendable, Hashable {
    public var id: Int64
    public var receivedAt: Timestamp
    public var remoteAddress: String
    public var method: String
    public var target: RequestTarget
    public var bodySize: Int64
    public var malformed: Bool
    public var responseStatus: Int
    public var signatureScheme: String?
    public var signatureStatus: SignatureStatus?
    public var deliveryCount: Int
    public var lastDeliveryStatus: Int?

    public init(
        id: Int64, receivedAt: Timestamp, remoteAddress: String, method: String, target: RequestTarget,
        bodySize: Int64, malformed: Bool, responseStatus: Int, signatureScheme: String?,
        signatureStatus: SignatureStatus?, deliveryCount: Int, lastDeliveryStatus: Int?
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.remoteAddress = remoteAddress
        self.method = method
        self.target = target
        self.bodySize = bodySize
        self.malformed = malformed
        self.responseStatus = responseStatus
        self.signatureScheme = signatureScheme
        self.signatureStatus = signatureStatus
        self.deliveryCount = deliveryCount
        self.lastDeliveryStatus = lastDeliveryStatus
    }
}

/// Which captures `list`, `replay --all` and `/api/captures` select.
public struct CaptureFilter: Sendable, Hashable {
    public var method: String?
    /// Matches captures whose path starts with this prefix.
    public var pathPrefix: String?
    public var signature: SignatureStatus?
    /// Only captures received at or after this time.
    public var since: Timestamp?
    /// Only captures with an id below this one (pagination cursor).
    public var beforeID: Int64?
    /// Only captures with an id above this one (following).
    public var afterID: Int64?
    /// Only captures whose request line, headers or (in-row) body contain this text, ASCII case-insensitively.
    public var text: String?

    public init(
        method: String? = nil, pathPrefix: String? = nil, signature: SignatureStatus? = nil,
        since: Timestamp? = nil, beforeID: Int64? = nil, afterID: Int64? = nil, text: String? = nil
    ) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.signature = signature
        self.since = since
        self.beforeID = beforeID
        self.afterID = afterID
        self.text = text
    }
}

extension CaptureSummary {
    /// The summary of a capture at hand (as the store would list it).
    public init(_ capture: Capture) {
        self.init(
            id: capture.id, receivedAt: capture.receivedAt, remoteAddress: capture.remoteAddress,
            method: capture.method, target: capture.target, bodySize: capture.bodySize, malformed: capture.malformed,
            responseStatus: capture.responseStatus, signatureScheme: capture.signature?.scheme,
            signatureStatus: capture.signature?.status, deliveryCount: capture.deliveries.count,
            lastDeliveryStatus: capture.deliveries.last?.status)
    }
}
