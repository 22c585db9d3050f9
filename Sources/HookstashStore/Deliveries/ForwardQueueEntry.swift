import HookstashCore

/// One capture waiting to be (or already) forwarded to a target, as kept in the `forward_queue` table.
public struct ForwardQueueEntry: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Not delivered yet; attempted again at `nextAttemptAt`.
        case pending
        /// The target answered 2xx or 3xx.
        case delivered
        /// The target answered a 4xx that retrying will not change.
        case rejected
        /// Retries exhausted, or the capture cannot be sent.
        case abandoned
    }

    public var id: Int64
    public var captureID: Int64
    public var to: String
    public var state: State
    /// Attempts made so far.
    public var attempts: Int
    public var enqueuedAt: Timestamp
    public var nextAttemptAt: Timestamp
    public var lastError: String?

    public init(
        id: Int64, captureID: Int64, to: String, state: State, attempts: Int, enqueuedAt: Timestamp,
        nextAttemptAt: Timestamp, lastError: String?
    ) {
        self.id = id
        self.captureID = captureID
        self.to = to
        self.state = state
        self.attempts = attempts
        self.enqueuedAt = enqueuedAt
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
    }
}

/// One forwarding attempt to record: the entry's new state and, when something was sent, the delivery with its
/// detail JSON.
public struct ForwardAttemptRecord: Sendable {
    public var entry: ForwardQueueEntry
    public var delivery: Delivery?
    public var detail: String?

    public init(entry: ForwardQueueEntry, delivery: Delivery?, detail: String?) {
        self.entry = entry
        self.delivery = delivery
        self.detail = detail
    }
}
