import HookstashStore
import Synchronization

/// Group commit for the delivery queues' attempts: each attempt waits for its record (the delivery and the entry's
/// new state) to be committed, and every record that arrives while a commit is under way goes into the next one,
/// so one transaction and one sync of the log cover as many attempts as finished meanwhile.
///
/// No thread of its own: the first caller to find no commit under way commits (on its own task), for itself and
/// for whoever queued meanwhile, until nothing is left (leader and followers).
final class AttemptRecorder: Sendable {
    private typealias Waiter = CheckedContinuation<Int64?, any Error>

    private struct State: ~Copyable {
        var pending: [(record: ForwardAttemptRecord, waiter: Waiter)] = []
        var committing = false
    }

    /// Records per transaction at most.
    static let maxBatch = 512

    let store: CaptureStore
    private let state = Mutex(State())

    init(store: CaptureStore) {
        self.store = store
    }

    /// Returns once `record` is committed: the delivery's id (nil when there was no delivery, or the capture was
    /// deleted meanwhile). Throws the store's error when the transaction failed (nothing of it was recorded).
    func record(_ record: ForwardAttemptRecord) async throws -> Int64? {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let leads = state.withLock { state in
                state.pending.append((record, waiter))
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if leads { commitWhilePending() }
        }
    }

    private func commitWhilePending() {
        while true {
            let batch = state.withLock { state in
                let count = min(state.pending.count, Self.maxBatch)
                if count == 0 { state.committing = false }
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            guard !batch.isEmpty else { return }
            do {
                let ids = try store.recordForwardAttempts(batch.map(\.record))
                for (index, item) in batch.enumerated() { item.waiter.resume(returning: ids[index]) }
            } catch {
                for item in batch { item.waiter.resume(throwing: error) }
            }
        }
    }
}
