import HookstashCore
import HookstashStore

/// The one attempt path of the delivery queues (`serve --forward`'s `ForwardQueue` and `pull`'s
/// `RelayDeliveryQueue`): capture → request (`OutgoingRequest.replaying`) → `DeliveryEngine` → record, the
/// delivery and the entry's new state committed together, by group commit with the other attempts that finished
/// meanwhile. The queues differ only in policy: which entries they attempt, when, and how many at once.
///
/// An attempt counts once its record is committed. When it cannot be recorded, the entry stays as it was (still
/// due) and is attempted again: at least once, never zero times.
public struct QueueDelivery: Sendable {
    /// What one attempt did.
    public struct Attempt: Sendable {
        /// The entry's new state (what was recorded, when `recorded`).
        public var entry: ForwardQueueEntry
        /// The attempt's number, counting from 1.
        public var number: Int
        /// The capture, when it could be read.
        public var capture: Capture?
        /// The request as built, when it could be (nil: nothing was sent).
        public var request: OutgoingRequest?
        /// What happened on the wire; nil when nothing was sent.
        public var outcome: DeliveryOutcome?
        /// Why nothing was sent (a malformed capture, a `ResignProblem`, a guard's refusal to re-sign); the entry
        /// is then abandoned.
        public var problem: (any Error)?
        /// The guard's decision, when a guard refused it.
        public var refusal: (any DeliveryRefusal)? { problem as? any DeliveryRefusal }
        /// The store was unavailable before anything was sent: nothing changed, the entry is still due.
        public var storeUnavailable = false
        /// The record (and the entry's new state) is committed.
        public var recorded = false

        /// An HTTP answer arrived (whatever its status).
        public var answered: Bool { outcome?.response != nil && outcome?.error == nil }
    }

    public let store: CaptureStore
    public let target: DeliveryTarget
    public let settings: ReplaySettings
    public let policy: RetryPolicy
    public let transform: OutgoingRequest.Transform?
    public let clock: ForwardQueue.Clock
    private let recorder: AttemptRecorder

    public init(
        store: CaptureStore, target: DeliveryTarget, settings: ReplaySettings, policy: RetryPolicy,
        transform: OutgoingRequest.Transform? = nil, clock: ForwardQueue.Clock = ForwardQueue.Clock()
    ) {
        self.store = store
        self.target = target
        self.settings = settings
        self.policy = policy
        self.transform = transform
        self.clock = clock
        self.recorder = AttemptRecorder(store: store)
    }

    /// One attempt for `entry` through `engine`, recorded as `source` (`forward`, `forward-sync`, `pull`).
    public func attempt(
        _ entry: ForwardQueueEntry, engine: DeliveryEngine, options: DeliveryOptions, source: String
    ) async -> Attempt {
        var retry = ForwardRetry(entry: entry, policy: policy)
        var result = Attempt(entry: entry, number: retry.nextAttemptNumber)
        let request: OutgoingRequest
        do {
            let capture = try store.requireCapture(id: entry.captureID)
            result.capture = capture
            request = try OutgoingRequest.replaying(
                capture, from: store, to: target, settings: settings, transform: transform)
        } catch let error as HookstashError where error.isStoreUnavailable {
            result.storeUnavailable = true
            return result
        } catch {
            // Cannot be sent (a malformed capture, a capture a guard refuses to re-sign): given up, and said.
            retry.abandon(because: "\(error)")
            result.entry = retry.entry
            result.problem = error
            result.recorded = await record(ForwardAttemptRecord(entry: retry.entry, delivery: nil, detail: nil))
            return result
        }
        result.request = request
        let outcome = await engine.deliver(request, options: options)
        result.outcome = outcome
        retry.record(outcome, at: clock.now(), random: clock.random())
        result.entry = retry.entry
        let report = DeliveryReport(source: source, request: request, outcome: outcome, attempt: result.number)
        let delivery = Delivery(captureID: entry.captureID, request: request, outcome: outcome)
        result.recorded = await record(
            ForwardAttemptRecord(entry: retry.entry, delivery: delivery, detail: report.json()))
        return result
    }

    private func record(_ record: ForwardAttemptRecord) async -> Bool {
        do {
            _ = try await recorder.record(record)
            return true
        } catch {
            return false
        }
    }
}
