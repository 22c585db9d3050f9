import HookstashCore
import HookstashDelivery
import HookstashStore

/// What `pull` tells its user: changes of state (one each, never a flood) and deliveries.
public enum RelayEvent: Sendable {
    /// The event stream is open, resuming after `after`.
    case connected(remote: String, after: Int64)
    /// Everything the remote had when the stream opened is imported.
    case caughtUp(remote: String, position: Int64)
    /// The remote's newest capture is older than the position: its store was replaced or emptied. Captures are
    /// imported again only once its ids pass the position.
    case remoteBehind(remote: String, newest: Int64, position: Int64)
    /// The remote could not be reached before any stream was open (at start, or right after a disconnection).
    case unreachable(remote: String, reason: String)
    /// The stream ended.
    case disconnected(remote: String, reason: String)
    /// The next attempt to connect, after a pause.
    case retrying(inSeconds: Double)
    /// One attempt to deliver one capture to the local target.
    case delivery(RelayDelivery)
    /// The local target stopped answering; the capture waits in the queue.
    case targetDown(target: String, reason: String, retryInSeconds: Double)
    /// The local target answers again.
    case targetBack(target: String)
}

/// One delivery attempt, as `pull --json` prints it.
public struct RelayDelivery: Sendable, Encodable {
    public var captureID: Int64
    public var remoteID: Int64?
    public var method: String
    public var url: String
    public var at: Timestamp
    public var status: Int?
    public var durationMs: Double
    /// Why the delivery failed or was not made, in a sentence (`problem`'s standard wording when nothing was sent).
    public var error: String?
    /// Why nothing was sent: a guard's refusal (the target, or re-signing an unverified capture), a
    /// `ResignProblem`, a capture that is not a sendable request. The caller may say it in its own wording.
    public var problem: (any Error)?
    /// The guard's decision, when a guard refused the delivery.
    public var refusal: (any DeliveryRefusal)? { problem as? any DeliveryRefusal }
    public var attempt: Int
    /// The queue entry's state after this attempt: delivered, pending (retried later), rejected, abandoned.
    public var state: String
    public var resigned: Bool

    enum CodingKeys: String, CodingKey {
        case captureID = "capture_id"
        case remoteID = "remote_id"
        case method, url, at, status
        case durationMs = "duration_ms"
        case error, attempt, state, resigned
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(captureID, forKey: .captureID)
        try container.encode(remoteID, forKey: .remoteID)
        try container.encode(method, forKey: .method)
        try container.encode(url, forKey: .url)
        try container.encode(at, forKey: .at)
        try container.encode(status, forKey: .status)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(error, forKey: .error)
        try container.encode(attempt, forKey: .attempt)
        try container.encode(state, forKey: .state)
        try container.encode(resigned, forKey: .resigned)
    }
}
