import Synchronization

/// The one wake-up mechanism: a generation-counting broadcast signal. The store rings one after each commit that
/// added captures (the inspector's event streams wait on it); the forward queue and `pull`'s delivery queue each
/// ring theirs when an entry is queued.
///
/// Waiters remember the generation they saw before they last looked at the state they wait on; a ring since then
/// ends the wait at once, so nothing rung between looking and waiting is missed, and one ring wakes every waiter.
/// Changes made by another process (the same store file) do not ring it: waiters also give up after a timeout and
/// look anyway.
public final class WakeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextToken: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// How many times it has been rung.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    public func ring() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            guard !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the bell has been rung since `seen` (at once if it has been already), after `seconds`, or when
    /// the task is cancelled.
    public func wait(after seen: UInt64, seconds: Double) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing(after: seen) }
            group.addTask { try? await Task.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000))) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing(after seen: UInt64) async {
        let token = state.withLock { state -> UInt64 in
            defer { state.nextToken &+= 1 }
            return state.nextToken
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let rung = state.withLock { state -> Bool in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters[token] = continuation
                    return false
                }
                if rung { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: token) }
            waiter?.resume()
        }
    }
}
