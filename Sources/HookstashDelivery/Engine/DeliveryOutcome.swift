import HookstashCore

/// What happened when one request was sent: the request exactly as it went out, the answer, timings, or why
/// there was no answer.
public struct DeliveryOutcome: Sendable, Hashable {
    public struct Response: Sendable, Hashable {
        /// The final status (after any 1xx interim answers).
        public var status: Int
        /// The status line as received, e.g. `HTTP/1.1 200 OK`.
        public var statusLine: String
        /// Header fields of the final answer, in order, with case and duplicates (`Set-Cookie`).
        public var headers: HeaderList
        /// Statuses of 1xx interim answers that came before the final one.
        public var interimStatuses: [Int]
        /// The first `DeliveryOptions.responseBodyLimit` bytes of the body.
        public var body: [UInt8]
        /// The full body size as received.
        public var bodySize: Int64
        /// True when `body` holds less than `bodySize`.
        public var truncated: Bool

        public init(
            status: Int, statusLine: String, headers: HeaderList, interimStatuses: [Int] = [], body: [UInt8],
            bodySize: Int64, truncated: Bool
        ) {
            self.status = status
            self.statusLine = statusLine
            self.headers = headers
            self.interimStatuses = interimStatuses
            self.body = body
            self.bodySize = bodySize
            self.truncated = truncated
        }
    }

    /// Milliseconds from the start of the delivery.
    public struct Timings: Sendable, Hashable {
        /// Connection established (0 when an open connection was reused).
        public var connectMs: Double
        /// First response byte arrived.
        public var firstByteMs: Double
        /// Exchange complete.
        public var totalMs: Double

        public init(connectMs: Double = 0, firstByteMs: Double = 0, totalMs: Double = 0) {
            self.connectMs = connectMs
            self.firstByteMs = firstByteMs
            self.totalMs = totalMs
        }
    }

    /// The request line and header block exactly as libcurl wrote them to the socket.
    public var requestHead: [UInt8]
    public var response: Response?
    public var timings: Timings
    /// False when the request went over a connection kept open from an earlier one.
    public var newConnection: Bool
    public var error: DeliveryError?
    /// When the delivery started.
    public var startedAt: Timestamp

    public init(
        requestHead: [UInt8], response: Response?, timings: Timings, newConnection: Bool, error: DeliveryError?,
        startedAt: Timestamp
    ) {
        self.requestHead = requestHead
        self.response = response
        self.timings = timings
        self.newConnection = newConnection
        self.error = error
        self.startedAt = startedAt
    }

    /// A 2xx or 3xx answer arrived.
    public var succeeded: Bool {
        guard error == nil, let status = response?.status else { return false }
        return (200..<400).contains(status)
    }
}
