import HookstashCore
import HookstashStore

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
    private let wake = WakeSignal()

    /// The target URL as stored in the queue table.
    public var queueKey: String { configuration.target.description }

    public init(
        store: CaptureStore, configuration: Configuration, clock: Clock = Clock(),
        transform: Replayer.Transform? = nil
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.transform = transform
    }

    /// Queues committed captures for forwarding (idempotent per capture) and wakes the queue. Durable once it
    /// returns.
    public func enqueue(_ captureIDs: [Int64]) throws {
        guard !captureIDs.isEmpty else { return }
        try store.enqueueForward(captureIDs, to: queueKey, at: clock.now())
        wake.signal()
    }

    /// Entries still to deliver.
    public func pendingCount() throws -> Int {
        try store.forwardCount(to: queueKey, state: .pending)
    }

    /// Delivers due entries and sleeps until the next one is due or a capture is queued, until cancelled.
    /// Store errors are retried after a pause rather than ending the loop.
    public func run() async throws {
        let workers = DeliveryWorkers(count: configuration.concurrency)
        defer { workers.shutdown() }
        while !Task.isCancelled {
            do {
                let due = try store.dueForwards(to: queueKey, at: clock.now(), limit: configuration.batchSize)
                if !due.isEmpty {
                    await deliver(due, workers: workers)
                    continue
                }
                let next = try store.nextForwardAttempt(to: queueKey)
                let wait = next.map { Double($0.microsecondsSinceEpoch - clock.now().microsecondsSinceEpoch) / 1e6 }
                await wake.wait(seconds: min(max(wait ?? 3600, 0.001), 3600))
            } catch {
                // The store is busy or unavailable; the queue is in the file, try again shortly.
                await wake.wait(seconds: 1)
            }
        }
    }

    private func deliver(_ entries: [ForwardQueueEntry], workers: DeliveryWorkers) async {
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for entry in entries {
                if inFlight == configuration.concurrency {
                    await group.next()
                    inFlight -= 1
                }
                if Task.isCancelled { break }
                inFlight += 1
                group.addTask { await self.attempt(entry, workers: workers) }
            }
        }
    }

    /// One attempt for one entry, recorded with the entry's new state in one transaction.
    func attempt(_ entry: ForwardQueueEntry, workers: DeliveryWorkers) async {
        var retry = ForwardRetry(entry: entry, policy: configuration.policy)
        let request: OutgoingRequest
        do {
            let capture = try store.requireCapture(id: entry.captureID)
            let body = try store.bytes(of: capture.body)
            var built = try OutgoingRequest.replaying(
                capture, body: body, to: configuration.target, settings: configuration.settings)
            try transform?(capture, &built)
            request = built
        } catch let error as HookstashError where error.isStoreUnavailable {
            try? await Task.sleep(for: .seconds(1))
            return  // the entry is still due: tried again on the next round
        } catch {
            retry.abandon(because: "\(error)")
            _ = try? store.recordForwardAttempt(retry.entry, delivery: nil, detail: nil)
            return
        }
        let attemptNumber = retry.nextAttemptNumber
        let outcome = await workers.deliver(request, options: configuration.options)
        retry.record(outcome, at: clock.now(), random: clock.random())
        let report = DeliveryReport(source: "forward", request: request, outcome: outcome, attempt: attemptNumber)
        let delivery = Delivery(captureID: entry.captureID, request: request, outcome: outcome)
        do {
            try store.recordForwardAttempt(retry.entry, delivery: delivery, detail: report.json())
        } catch {
            // Not recorded: the entry stays as it was and is attempted again (at-least-once).
        }
    }
}
