import HookstashCore
import HookstashStore

/// When a failed forward is tried again: exponential backoff with jitter, up to a number of attempts.
///
/// Defaults: first retry after 1 s, doubling, at most 5 min apart, with up to 20 % jitter; given up after
/// 20 attempts (about an hour after the first).
public struct RetryPolicy: Sendable, Hashable {
    /// Delay before the first retry, in seconds.
    public var initialDelay: Double
    /// Factor applied to the delay after each failed attempt.
    public var multiplier: Double
    /// Largest delay between two attempts, in seconds.
    public var maxDelay: Double
    /// Attempts in all (the first included) before the entry is abandoned.
    public var maxAttempts: Int
    /// Fraction of the delay taken off at random (0…1), so that many retries do not fire at once.
    public var jitter: Double

    public init(
        initialDelay: Double = 1, multiplier: Double = 2, maxDelay: Double = 300, maxAttempts: Int = 20,
        jitter: Double = 0.2
    ) {
        self.initialDelay = max(0, initialDelay)
        self.multiplier = max(1, multiplier)
        self.maxDelay = max(self.initialDelay, maxDelay)
        self.maxAttempts = max(1, maxAttempts)
        self.jitter = min(1, max(0, jitter))
    }

    /// The delay after `attempts` failed attempts (1 for the first), before jitter.
    public func baseDelay(afterAttempt attempts: Int) -> Double {
        var delay = initialDelay
        for _ in 1..<max(1, attempts) {
            delay *= multiplier
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// The delay with jitter; `random` is uniform in 0..<1 (injected so tests can fix it).
    public func delay(afterAttempt attempts: Int, random: Double) -> Double {
        baseDelay(afterAttempt: attempts) * (1 - jitter * random)
    }

    /// Whether an attempt's result is worth retrying: no answer (refused, timeout, DNS, broken connection),
    /// 408 Request Timeout, 429 Too Many Requests, or any 5xx.
    public static func isRetryable(_ outcome: DeliveryOutcome) -> Bool {
        if let error = outcome.error { return error.isTransient }
        guard let status = outcome.response?.status else { return true }
        return status == 408 || status == 429 || status >= 500
    }
}

/// The life of one forward queue entry as a state machine: `pending` until an attempt succeeds (`delivered`), the
/// target refuses it for good (`rejected`, a 4xx), or retries run out (`abandoned`).
///
/// Plain value type driven by `mutating` functions; time and randomness are passed in.
public struct ForwardRetry: Sendable, Hashable {
    public private(set) var entry: ForwardQueueEntry
    public let policy: RetryPolicy

    public init(entry: ForwardQueueEntry, policy: RetryPolicy) {
        self.entry = entry
        self.policy = policy
    }

    /// The attempt about to be made, counting from 1.
    public var nextAttemptNumber: Int { entry.attempts + 1 }

    /// True when the entry is pending and its time has come.
    public func isDue(at now: Timestamp) -> Bool {
        entry.state == .pending && entry.nextAttemptAt <= now
    }

    /// Applies the result of an attempt made at `now`; `random` is uniform in 0..<1. Returns the new state.
    @discardableResult
    public mutating func record(_ outcome: DeliveryOutcome, at now: Timestamp, random: Double)
        -> ForwardQueueEntry.State
    {
        precondition(entry.state == .pending, "an attempt was recorded for a finished forward")
        entry.attempts += 1
        if outcome.succeeded {
            entry.state = .delivered
            entry.lastError = nil
            return entry.state
        }
        let problem = outcome.error?.message ?? "the target answered \(outcome.response?.status ?? 0)"
        entry.lastError = problem
        guard RetryPolicy.isRetryable(outcome) else {
            entry.state = outcome.error == nil ? .rejected : .abandoned
            return entry.state
        }
        guard entry.attempts < policy.maxAttempts else {
            entry.state = .abandoned
            entry.lastError = "gave up after \(entry.attempts) attempts; last: \(problem)"
            return entry.state
        }
        entry.nextAttemptAt = now.adding(seconds: policy.delay(afterAttempt: entry.attempts, random: random))
        return entry.state
    }

    /// The capture cannot be sent at all (deleted body, malformed): abandon without an attempt.
    public mutating func abandon(because reason: String) {
        entry.state = .abandoned
        entry.lastError = reason
    }
}
