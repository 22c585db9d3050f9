import Foundation
import HookstashCore

/// Everything recorded about one delivery: the request exactly as sent, the changes from the capture, the
/// answer and the timings. Stored as the delivery's `detail` JSON and printed by `replay --json`.
public struct DeliveryReport: Codable, Sendable, Hashable {
    public struct Request: Codable, Sendable, Hashable {
        public var method: String
        public var url: String
        /// The request-target on the request line.
        public var target: String
        /// The request line and header block exactly as written to the socket.
        public var head: String
        public var bodySize: Int
        /// Each change from the captured request, in a sentence.
        public var changes: [String]
        /// The same changes with their codes (absent from records written before changes had codes).
        public var changeDetails: [RequestChange]?
        public var resigned: Bool

        enum CodingKeys: String, CodingKey {
            case method, url, target, head
            case bodySize = "body_size"
            case changes
            case changeDetails = "change_details"
            case resigned
        }
    }

    public struct Response: Codable, Sendable, Hashable {
        public var status: Int
        public var statusLine: String
        public var headers: HeaderList
        public var interimStatuses: [Int]
        public var bodyBase64: String
        /// Present when the kept body bytes are valid UTF-8.
        public var bodyText: String?
        public var bodySize: Int64
        public var truncated: Bool

        enum CodingKeys: String, CodingKey {
            case status
            case statusLine = "status_line"
            case headers
            case interimStatuses = "interim_statuses"
            case bodyBase64 = "body_base64"
            case bodyText = "body_text"
            case bodySize = "body_size"
            case truncated
        }

        /// The kept body bytes.
        public var body: [UInt8] { Base64.decode(bodyBase64) ?? [] }
    }

    public struct Timings: Codable, Sendable, Hashable {
        public var connectMs: Double
        public var firstByteMs: Double
        public var totalMs: Double

        enum CodingKeys: String, CodingKey {
            case connectMs = "connect_ms"
            case firstByteMs = "first_byte_ms"
            case totalMs = "total_ms"
        }
    }

    public struct Failure: Codable, Sendable, Hashable {
        /// `refused`, `timeout`, `dns`, `tls`, `connection`, `target`, `request`, `other`.
        public var kind: String
        public var message: String
    }

    /// What asked for the delivery: `replay`, `forward`, `send`, `api`.
    public var source: String
    public var request: Request
    public var response: Response?
    public var timings: Timings
    public var newConnection: Bool
    public var error: Failure?
    /// For forwarded deliveries: the attempt number, from 1.
    public var attempt: Int?

    enum CodingKeys: String, CodingKey {
        case source, request, response, timings
        case newConnection = "new_connection"
        case error, attempt
    }

    public init(source: String, request: OutgoingRequest, outcome: DeliveryOutcome, attempt: Int? = nil) {
        self.source = source
        self.request = Request(
            method: request.method, url: request.url, target: request.requestTarget,
            head: String(decoding: outcome.requestHead, as: UTF8.self), bodySize: request.body.count,
            changes: request.changes.map(Wording.standard.sentence), changeDetails: request.changes,
            resigned: request.resigned)
        self.response = outcome.response.map { response in
            Response(
                status: response.status, statusLine: response.statusLine, headers: response.headers,
                interimStatuses: response.interimStatuses, bodyBase64: Base64.encode(response.body),
                bodyText: String(validating: response.body, as: UTF8.self), bodySize: response.bodySize,
                truncated: response.truncated)
        }
        self.timings = Timings(
            connectMs: outcome.timings.connectMs, firstByteMs: outcome.timings.firstByteMs,
            totalMs: outcome.timings.totalMs)
        self.newConnection = outcome.newConnection
        self.error = outcome.error.map { Failure(kind: $0.kind, message: $0.message) }
        self.attempt = attempt
    }

    /// The JSON stored in the delivery's `detail` column.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func decode(_ json: String) throws -> DeliveryReport {
        try JSONDecoder().decode(DeliveryReport.self, from: Data(json.utf8))
    }
}

extension Delivery {
    /// The row for the `delivery` table.
    public init(captureID: Int64, request: OutgoingRequest, outcome: DeliveryOutcome) {
        self.init(
            captureID: captureID, to: request.url, at: outcome.startedAt, status: outcome.response?.status,
            durationMs: outcome.timings.totalMs, error: outcome.error?.message, resigned: request.resigned)
    }
}
