import HookstashCore
import HookstashDelivery
import HookstashStore
import Logging
import ServiceLifecycle

/// Forwarding to one target: runs a `ForwardQueue` under the service group, stopping on graceful shutdown.
/// Pending forwards stay in the store and resume on the next start.
///
/// `CaptureForwarder` creates one per target; the capture writer queues each capture in the transaction that
/// stores it.
public struct ForwardQueueService: Service {
    public let queue: ForwardQueue
    private let logger: Logger

    public init(queue: ForwardQueue, logger: Logger) {
        self.queue = queue
        self.logger = logger
    }

    /// A service forwarding to `url` with the documented defaults, each overridable (nil keeps the default).
    /// Throws `HookstashError.invalidInput` with a sentence when the URL or a limit is unusable, and `TargetRefusal`
    /// when `targetGuard` refuses the URL's host.
    public init(
        store: CaptureStore, url: String, logger: Logger, retryInitial: Duration? = nil,
        retryMax: Duration? = nil, maxAttempts: Int? = nil, concurrency: Int? = nil, timeout: Duration? = nil,
        resigner: Resigner? = nil, targetGuard: TargetGuard = TargetGuard()
    ) throws {
        let target: DeliveryTarget
        do {
            target = try DeliveryTarget(parsing: url)
        } catch {
            throw HookstashError.invalidInput("forward target: \(error.message)")
        }
        let timeoutMs = timeout.map { Int(DurationText.seconds(of: $0) * 1000) }
        let options = DeliveryOptions(
            totalTimeoutMs: timeoutMs ?? DeliveryOptions.defaultTotalTimeoutMs, targetGuard: targetGuard)
        if let refusal = options.checkTarget(host: target.host) { throw refusal }
        if let maxAttempts, maxAttempts < 1 {
            throw HookstashError.invalidInput("the maximum number of forward attempts must be at least 1")
        }
        if let concurrency, !(1...64).contains(concurrency) {
            throw HookstashError.invalidInput("forward concurrency must be between 1 and 64")
        }
        if let timeoutMs, timeoutMs <= 0 {
            throw HookstashError.invalidInput("the forward timeout must be at least 1 millisecond")
        }
        let defaults = RetryPolicy()
        let policy = RetryPolicy(
            initialDelay: retryInitial.map(DurationText.seconds(of:)) ?? defaults.initialDelay,
            multiplier: defaults.multiplier,
            maxDelay: retryMax.map(DurationText.seconds(of:)) ?? defaults.maxDelay,
            maxAttempts: maxAttempts ?? defaults.maxAttempts,
            jitter: defaults.jitter)
        let configuration = ForwardQueue.Configuration(
            target: target, options: options, policy: policy, concurrency: concurrency ?? 1)
        self.init(
            queue: ForwardQueue(
                store: store, configuration: configuration, transform: resigner?.transform,
                onAttempt: { entry, outcome in Self.log(entry, outcome, logger: logger) }),
            logger: logger)
    }

    /// One line per attempt: info when delivered, warning when it will be retried or was given up.
    static func log(_ entry: ForwardQueueEntry, _ outcome: DeliveryOutcome?, logger: Logger) {
        var metadata: Logger.Metadata = [
            "hookstash.capture.id": "\(entry.captureID)", "hookstash.forward.to": "\(entry.to)",
            "hookstash.forward.attempt": "\(entry.attempts)",
        ]
        if let status = outcome?.response?.status { metadata["hookstash.forward.status"] = "\(status)" }
        if let duration = outcome?.timings.totalMs { metadata["hookstash.forward.ms"] = "\(duration)" }
        switch entry.state {
        case .delivered:
            logger.info("forwarded", metadata: metadata)
        case .pending:
            metadata["error"] = "\(entry.lastError ?? "")"
            metadata["hookstash.forward.next"] = "\(entry.nextAttemptAt.rfc3339)"
            logger.warning("forward failed; will retry", metadata: metadata)
        case .rejected:
            logger.warning("forward rejected by the target; not retried", metadata: metadata)
        case .abandoned:
            metadata["error"] = "\(entry.lastError ?? "")"
            logger.warning("forward abandoned", metadata: metadata)
        }
    }

    public func run() async throws {
        let pending = (try? queue.pendingCount()) ?? 0
        logger.info(
            "forwarding captures",
            metadata: ["hookstash.forward.to": "\(queue.queueKey)", "hookstash.forward.pending": "\(pending)"])
        try await cancelWhenGracefulShutdown {
            try await queue.run()
        }
        logger.info("forwarding stopped", metadata: ["hookstash.forward.to": "\(queue.queueKey)"])
    }
}
