import HookstashCore
import HookstashDelivery
import HookstashStore
import Synchronization

/// Delivers pulled captures to the local target strictly in capture order: the oldest pending entry of the queue
/// is retried (with `RetryPolicy` backoff) until the target takes it, and nothing after it is sent before.
///
/// The queue is the store's `forward_queue` (entries added by `CaptureStore.importRelayed` in the import's own
/// transaction), each attempt made and recorded by the attempt path `ForwardQueue` uses (`QueueDelivery`). Only
/// the policy differs: `ForwardQueue` lets later captures overtake one waiting for its retry; `pull` must not.
public final class RelayDeliveryQueue: Sendable {
    public let store: CaptureStore
    public let target: DeliveryTarget
    /// The `to_url` of the queue rows: `pull:` and the target, apart from the queue of a `serve --forward` to the
    /// same URL on the same store.
    public let queueKey: String
    private let options: DeliveryOptions
    private let policy: RetryPolicy
    private let delivery: QueueDelivery
    private let onEvent: @Sendable (RelayEvent) -> Void
    private let wakeSignal = WakeSignal()
    private let targetDown = Atomic<Bool>(false)

    public init(
        store: CaptureStore, target: DeliveryTarget, settings: ReplaySettings = ReplaySettings(),
        options: DeliveryOptions = DeliveryOptions(), policy: RetryPolicy, transform: Replayer.Transform? = nil,
        onEvent: @escaping @Sendable (RelayEvent) -> Void
    ) {
        self.store = store
        self.target = target
        self.queueKey = "pull:" + target.description
        self.options = options
        self.policy = policy
        self.delivery = QueueDelivery(
            store: store, target: target, settings: settings, policy: policy, transform: transform)
        self.onEvent = onEvent
    }

    /// A capture was queued: look at the queue now.
    public func wake() {
        wakeSignal.ring()
    }

    /// Delivers until cancelled.
    public func run() async {
        let engine = DeliveryEngine(maxTransfers: 1)
        defer { engine.shutdown() }
        let never = Timestamp(microsecondsSinceEpoch: Int64.max)
        // Consecutive attempts whose outcome could not be recorded (store full, read-only, failing disk): the
        // entry is still due, so without a pause the same capture would be delivered again in a tight loop.
        var unrecorded = 0
        while !Task.isCancelled {
            // Read before looking at the queue: a capture queued after the look ends the wait at once.
            let seen = wakeSignal.generation
            do {
                guard let head = try store.dueForwards(to: queueKey, at: never, limit: 1).first else {
                    await wakeSignal.wait(after: seen, seconds: 3600)
                    continue
                }
                let wait = Double(head.nextAttemptAt.microsecondsSinceEpoch - Timestamp.now().microsecondsSinceEpoch)
                if wait > 0 {
                    await wakeSignal.wait(after: seen, seconds: wait / 1e6)
                    continue
                }
                if await attempt(head, engine: engine) {
                    unrecorded = 0
                } else {
                    unrecorded += 1
                    let pause = policy.delay(afterAttempt: unrecorded, random: Double.random(in: 0..<1))
                    try? await Task.sleep(for: .milliseconds(Int64(pause * 1000)))
                }
            } catch {
                // The store is busy; the queue is in the file, look again shortly.
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// One attempt; false when its outcome could not be recorded.
    private func attempt(_ entry: ForwardQueueEntry, engine: DeliveryEngine) async -> Bool {
        let attempt = await delivery.attempt(entry, engine: engine, options: options, source: "pull")
        if attempt.storeUnavailable {
            try? await Task.sleep(for: .seconds(1))
            return true
        }
        guard let request = attempt.request, let outcome = attempt.outcome else {
            // Cannot be sent (a malformed capture, a capture a guard refuses to re-sign): given up, and said.
            onEvent(
                .delivery(
                    RelayDelivery(
                        captureID: entry.captureID, remoteID: try? store.relayedRemoteID(of: entry.captureID),
                        method: attempt.capture?.method ?? "", url: target.description, at: .now(), status: nil,
                        durationMs: 0, error: attempt.problem.map { "\($0)" }, problem: attempt.problem,
                        attempt: attempt.number,
                        state: attempt.entry.state.rawValue, resigned: false)))
            return attempt.recorded
        }
        if attempt.answered, targetDown.exchange(false, ordering: .relaxed) {
            onEvent(.targetBack(target: target.description))
        } else if !attempt.answered, attempt.entry.state == .pending,
            !targetDown.exchange(true, ordering: .relaxed)
        {
            let seconds =
                Double(attempt.entry.nextAttemptAt.microsecondsSinceEpoch - Timestamp.now().microsecondsSinceEpoch)
                / 1e6
            onEvent(
                .targetDown(
                    target: target.description, reason: outcome.error?.message ?? "no answer",
                    retryInSeconds: max(0, seconds)))
        }
        onEvent(
            .delivery(
                RelayDelivery(
                    captureID: entry.captureID, remoteID: try? store.relayedRemoteID(of: entry.captureID),
                    method: attempt.capture?.method ?? "", url: request.url, at: outcome.startedAt,
                    status: outcome.response?.status, durationMs: outcome.timings.totalMs,
                    error: outcome.error?.message, problem: outcome.error?.targetRefusal, attempt: attempt.number,
                    state: attempt.entry.state.rawValue, resigned: request.resigned)))
        return attempt.recorded
    }
}
