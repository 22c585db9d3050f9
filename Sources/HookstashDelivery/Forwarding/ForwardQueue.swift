import HookstashCore
import HookstashStore
import Synchronization

/// Forwards captures to one target through a queue kept in the store: each capture queued with `enqueue` is
/// delivered once, retried with backoff while the target is down, refuses, times out or answers 5xx, and resumed
/// after a restart. First attempts follow capture order.
///
/// `run()` does the work until its task is cancelled (`serve` runs it as a Service). `enqueue` may be called from
/// any thread, typically from the capture writer's `committed` callback.
public final class ForwardQueue: Sendable {
    public struct Configuration: Sendable {
        public var target: DeliveryTarget
        public var settings: ReplaySettings
        public var options: DeliveryOptions
        public var policy: RetryPolicy
        /// Deliveries at once. Default 1: strictly one after another, in capture order.
        public var concurrency: Int
        /// Entries read from the queue at a time.
        public var batchSize: Int

        public init(
            target: DeliveryTarget, settings: ReplaySettings = ReplaySettings(),
            options: DeliveryOptions = DeliveryOptions(), policy: RetryPolicy = RetryPolicy(), concurrency: Int = 1,
            batchSize: Int = 64
        ) {
            self.target = target
            self.settings = settings
            self.options = options
            self.policy = policy
            self.concurrency = max(1, concurrency)
            self.batchSize = max(1, batchSize)
        }
    }

    /// Where time and randomness come from; injected in tests.
    public struct Clock: Sendable {
        public var now: @Sendable () -> Timestamp
        /// Uniform in 0..<1, for jitter.
        public var random: @Sendable () -> Double

        public init(
            now: @escaping @Sendable () -> Timestamp = { .now() },
            random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
        ) {
            self.now = now
            self.random = random
        }
    }

    public let store: CaptureStore
    public let configuration: Configuration
    private let clock: Clock
    private let transform: Replayer.Transform?
    /// Told of each attempt: the entry's new state and what happened (for logging).
    private let onAttempt: (@Sendable (ForwardQueueEntry, DeliveryOutcome?) -> Void)?
    private let wake = WakeSignal()
    /// The attempt path shared with `pull`'s queue.
    private let delivery: QueueDelivery
    /// The engine for `forwardNow`, apart from the queue's own so that a backlog does not delay a sender waiting
    /// for its answer. Started on first use.
    private var syncEngine: DeliveryEngine { syncEnginePool.engine }
    private let syncEnginePool = LazyEngine(maxTransfers: 16)

    /// The target URL as stored in the queue table.
    public var queueKey: String { configuration.target.description }

    public init(
        store: CaptureStore, configuration: Configuration, clock: Clock = Clock(),
        transform: Replayer.Transform? = nil,
        onAttempt: (@Sendable (ForwardQueueEntry, DeliveryOutcome?) -> Void)? = nil
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.transform = transform
        self.onAttempt = onAttempt
        self.delivery = QueueDelivery(
            store: store, target: configuration.target, settings: configuration.settings,
            policy: configuration.policy, transform: transform, clock: clock)
    }

    /// Queues committed captures for forwarding (idempotent per capture) and wakes the queue. Durable once it
    /// returns.
    public func enqueue(_ captureIDs: [Int64]) throws {
        guard !captureIDs.isEmpty else { return }
        try store.enqueueForward(captureIDs, to: queueKey, at: clock.now())
        wake.ring()
    }

    /// Wakes the queue for entries added by someone else (the capture writer, in its own transaction).
    public func notifyEnqueued() {
        wake.ring()
    }

    /// Entries still to deliver.
    public func pendingCount() throws -> Int {
        try store.forwardCount(to: queueKey, state: .pending)
    }

    /// Delivers due entries and sleeps until the next one is due or a capture is queued, until cancelled.
    /// Store errors are retried after a pause rather than ending the loop.
    public func run() async throws {
        let engine = DeliveryEngine(maxTransfers: configuration.concurrency)
        defer { engine.shutdown() }
        while !Task.isCancelled {
            // Read before looking at the queue: an entry queued after the look ends the wait at once.
            let seen = wake.generation
            do {
                let due = try store.dueForwards(to: queueKey, at: clock.now(), limit: configuration.batchSize)
                if !due.isEmpty {
                    await deliver(due, engine: engine)
                    continue
                }
                let next = try store.nextForwardAttempt(to: queueKey)
                let wait = next.map { Double($0.microsecondsSinceEpoch - clock.now().microsecondsSinceEpoch) / 1e6 }
                await wake.wait(after: seen, seconds: min(max(wait ?? 3600, 0.001), 3600))
            } catch {
                // The store is busy or unavailable; the queue is in the file, try again shortly.
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Delivers a batch in capture order. When the target did not answer some attempt, every pending entry is
    /// then given the same next attempt time (the latest of theirs): a target that comes back receives the
    /// captures in the order they arrived, not in the order their jittered retries fell due.
    private func deliver(_ entries: [ForwardQueueEntry], engine: DeliveryEngine) async {
        let targetDown = await withTaskGroup(of: Bool.self) { group in
            var inFlight = 0
            var unanswered = false
            for entry in entries {
                if inFlight == configuration.concurrency {
                    if await group.next() == false { unanswered = true }
                    inFlight -= 1
                }
                if Task.isCancelled { break }
                inFlight += 1
                group.addTask { await self.attempt(entry, engine: engine)?.response != nil }
            }
            for await answered in group where !answered { unanswered = true }
            return unanswered
        }
        if targetDown {
            try? store.alignPendingForwards(to: queueKey)
        }
    }

    /// One attempt for one entry, recorded with the entry's new state (group commit). Returns what happened, nil
    /// when nothing was sent.
    @discardableResult
    func attempt(
        _ entry: ForwardQueueEntry, engine: DeliveryEngine, options: DeliveryOptions? = nil,
        source: String = "forward"
    ) async -> DeliveryOutcome? {
        let attempt = await delivery.attempt(
            entry, engine: engine, options: options ?? configuration.options, source: source)
        if attempt.storeUnavailable {
            try? await Task.sleep(for: .seconds(1))
            return nil  // the entry is still due: tried again on the next round
        }
        // Not recorded: the entry stays as it was and is attempted again (at least once).
        onAttempt?(attempt.entry, attempt.outcome)
        return attempt.outcome
    }

    /// Synchronous forwarding: queues the capture and makes its first attempt now, within `budget` (connect and total
    /// timeouts capped to it), so that the sender can be answered with the target's answer. Returns the outcome,
    /// or nil when the capture was already queued or could not be sent. A failed attempt is retried by `run()` as
    /// any other; `run()` leaves the entry alone while this attempt is in flight.
    public func forwardNow(_ captureID: Int64, budget: Duration = .milliseconds(4500)) async -> DeliveryOutcome? {
        let budget = max(.milliseconds(1), budget)
        let start = clock.now()
        do {
            let added = try store.enqueueForward(
                [captureID], to: queueKey,
                at: start.adding(seconds: Double(DeliveryOptions.milliseconds(budget)) / 1000 + 1))
            guard added == 1,
                let entry = try store.forwardEntries(to: queueKey, captureID: captureID).first,
                entry.state == .pending, entry.attempts == 0
            else { return nil }
            var options = configuration.options
            options.totalTimeout = min(options.totalTimeout, budget)
            options.connectTimeout = min(options.connectTimeout, budget)
            return await attempt(entry, engine: syncEngine, options: options, source: "forward-sync")
        } catch {
            return nil
        }
    }
}

/// A delivery engine started on first use.
final class LazyEngine: Sendable {
    private let maxTransfers: Int
    private let pool = Mutex<DeliveryEngine?>(nil)

    init(maxTransfers: Int) {
        self.maxTransfers = maxTransfers
    }

    var engine: DeliveryEngine {
        pool.withLock { pool in
            if let pool { return pool }
            let engine = DeliveryEngine(maxTransfers: maxTransfers)
            pool = engine
            return engine
        }
    }

    deinit {
        pool.withLock { $0?.shutdown() }
    }
}
