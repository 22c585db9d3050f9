import HookstashCore
import HookstashDelivery
import HookstashStore
import Synchronization

/// Delivers pulled captures to the local target strictly in capture order: the oldest pending entry of the queue
/// is retried (with `RetryPolicy` backoff) until the target takes it, and nothing after it is sent before.
///
/// The queue is the store's `forward_queue` (entries added by `CaptureStore.importRelayed` in the import's own
/// transaction), each attempt recorded with the entry's new state in one transaction, as `ForwardQueue` does.
/// `ForwardQueue` itself lets later captures overtake one waiting for its retry; `pull` must not.
public final class RelayDeliveryQueue: Sendable {
    public let store: CaptureStore
    public let target: DeliveryTarget
    /// The `to_url` of the queue rows: `pull:` and the target, apart from the queue of a `serve --forward` to the
    /// same URL on the same store.
    public let queueKey: String
    private let settings: ReplaySettings
    private let options: DeliveryOptions
    private let policy: RetryPolicy
    private let transform: Replayer.Transform?
    private let onEvent: @Sendable (RelayEvent) -> Void
    private let doorbell = Doorbell()
    private let targetDown = Atomic<Bool>(false)

    public init(
        store: CaptureStore, target: DeliveryTarget, settings: ReplaySettings = ReplaySettings(),
        options: DeliveryOptions = DeliveryOptions(), policy: RetryPolicy, transform: Replayer.Transform? = nil,
        onEvent: @escaping @Sendable (RelayEvent) -> Void
    ) {
        self.store = store
        self.target = target
        self.queueKey = "pull:" + target.description
        self.settings = settings
        self.options = options
        self.policy = policy
        self.transform = transform
        self.onEvent = onEvent
    }

    /// A capture was queued: look at the queue now.
    public func wake() {
        doorbell.ring()
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
            do {
                guard let head = try store.dueForwards(to: queueKey, at: never, limit: 1).first else {
                    await doorbell.wait(seconds: 3600)
                    continue
                }
                let wait = Double(head.nextAttemptAt.microsecondsSinceEpoch - Timestamp.now().microsecondsSinceEpoch)
                if wait > 0 {
                    await doorbell.wait(seconds: wait / 1e6)
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
                await doorbell.wait(seconds: 1)
            }
        }
    }

    /// One attempt; false when its outcome could not be recorded.
    private func attempt(_ entry: ForwardQueueEntry, engine: DeliveryEngine) async -> Bool {
        var retry = ForwardRetry(entry: entry, policy: policy)
        var loaded: Capture?
        let capture: Capture
        let request: OutgoingRequest
        do {
            capture = try store.requireCapture(id: entry.captureID)
            loaded = capture
            let body = try store.bytes(of: capture.body)
            var built = try OutgoingRequest.replaying(capture, body: body, to: target, settings: settings)
            try transform?(capture, &built)
            request = built
        } catch let error as HookstashError where error.isStoreUnavailable {
            try? await Task.sleep(for: .seconds(1))
            return true
        } catch {
            // Cannot be sent (a malformed capture, a capture a guard refuses to re-sign): given up, and said.
            retry.abandon(because: "\(error)")
            let recorded = (try? store.recordForwardAttempt(retry.entry, delivery: nil, detail: nil)) != nil
            onEvent(
                .delivery(
                    RelayDelivery(
                        captureID: entry.captureID, remoteID: try? store.relayedRemoteID(of: entry.captureID),
                        method: loaded?.method ?? "", url: target.description, at: .now(), status: nil, durationMs: 0,
                        error: "\(error)", refusal: error as? any DeliveryRefusal, attempt: retry.nextAttemptNumber,
                        state: retry.entry.state.rawValue, resigned: false)))
            return recorded
        }
        let attemptNumber = retry.nextAttemptNumber
        let outcome = await engine.deliver(request, options: options)
        retry.record(outcome, at: .now(), random: Double.random(in: 0..<1))
        let report = DeliveryReport(source: "pull", request: request, outcome: outcome, attempt: attemptNumber)
        let delivery = Delivery(captureID: entry.captureID, request: request, outcome: outcome)
        var recorded = true
        do {
            try store.recordForwardAttempt(retry.entry, delivery: delivery, detail: report.json())
        } catch {
            // Not recorded: the entry stays pending and is attempted again (at least once), after a pause.
            recorded = false
        }
        let answered = outcome.response != nil && outcome.error == nil
        if answered, targetDown.exchange(false, ordering: .relaxed) {
            onEvent(.targetBack(target: target.description))
        } else if !answered, retry.entry.state == .pending, !targetDown.exchange(true, ordering: .relaxed) {
            let seconds =
                Double(retry.entry.nextAttemptAt.microsecondsSinceEpoch - Timestamp.now().microsecondsSinceEpoch)
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
                    method: capture.method, url: request.url, at: outcome.startedAt,
                    status: outcome.response?.status, durationMs: outcome.timings.totalMs,
                    error: outcome.error?.message, refusal: outcome.error?.targetRefusal, attempt: attemptNumber,
                    state: retry.entry.state.rawValue, resigned: request.resigned)))
        return recorded
    }
}
