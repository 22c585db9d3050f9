/// One attempt to deliver a capture to a target URL (replay, forward, pull), as recorded in the store.
public struct Delivery: Sendable, Hashable {
    public var id: Int64
    public var captureID: Int64
    /// The target URL.
    public var to: String
    public var at: Timestamp
    /// The final HTTP status, nil when no response arrived.
    public var status: Int?
    public var durationMs: Double
    /// Why no response arrived (refused, timed out, DNS, TLS), in a sentence.
    public var error: String?
    public var resigned: Bool

    public init(
        id: Int64 = 0, captureID: Int64, to: String, at: Timestamp, status: Int?, durationMs: Double,
        error: String?, resigned: Bool
    ) {
        self.id = id
        self.captureID = captureID
        self.to = to
        self.at = at
        self.status = status
        self.durationMs = durationMs
        self.error = error
        self.resigned = resigned
    }
}
