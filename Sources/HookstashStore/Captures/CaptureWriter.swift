import Dispatch
import HookstashCore
import Synchronization

/// Commits captures with group commit: captures submitted while a transaction is being written wait for the
/// next one, so under load many captures share one transaction (and one WAL sync) instead of one each.
///
/// Each submitter is told when its capture is durable, or why it is not, and only then answers the sender.
public final class CaptureWriter: Sendable {
    public typealias Completion = @Sendable (Result<Int64, any Error>) -> Void
    /// Told the stored id and the answer of the response rule chosen in the same transaction, if any.
    public typealias StoredCompletion = @Sendable (Result<StoredCapture, any Error>) -> Void

    private struct Pending: ~Copyable {
        var items: [(Pending.Item, StoredCompletion)] = []

        enum Item {
            case encoded(EncodedCapture)
            /// A spilled body: prepared (which may read it) on the writer's thread.
            case unprepared(Capture)
        }
        var draining = false
    }

    private let store: CaptureStore
    private let maxBatch: Int
    private let queue = DispatchQueue(label: "hookstash.capture-writer")
    private let pending = Mutex(Pending())
    /// Runs before a capture is stored (signature verdicts are computed here): on the submitting thread when the
    /// body is in memory, so event loops share the work; on the writer's thread when it must be read from a file.
    private let prepare: @Sendable (inout Capture) -> Void
    /// Told the ids of every committed batch, in order (live events, forwarding).
    private let committed: @Sendable ([Capture]) -> Void
    /// The forward queue (if any) a capture joins in the same transaction that stores it.
    private let forwardQueue: @Sendable (Capture) -> String?
    /// The response rules matching a capture (after `prepare`, on the same thread); the store picks one.
    private let ruleCandidates: @Sendable (Capture) -> [RuleCandidate]
    #if HOOKSTASH_BENCH_STORE_FREE
        private let benchmarkStoreFreeIDs = Atomic<Int64>(0)
    #endif

    public init(
        store: CaptureStore,
        maxBatch: Int = 512,
        prepare: @escaping @Sendable (inout Capture) -> Void = { _ in },
        forwardQueue: @escaping @Sendable (Capture) -> String? = { _ in nil },
        ruleCandidates: @escaping @Sendable (Capture) -> [RuleCandidate] = { _ in [] },
        committed: @escaping @Sendable ([Capture]) -> Void = { _ in }
    ) {
        self.ruleCandidates = ruleCandidates
        self.store = store
        self.maxBatch = maxBatch
        self.prepare = prepare
        self.committed = committed
        self.forwardQueue = forwardQueue
    }

    public func submit(_ capture: Capture, completion: @escaping Completion) {
        submit(capture, stored: { completion($0.map(\.id)) })
    }

    /// Like `submit(_:completion:)`; the completion also has the response rule chosen for the capture.
    public func submit(_ capture: Capture, stored completion: @escaping StoredCompletion) {
        let item: Pending.Item
        if capture.body.inlineBytes != nil {
            item = .encoded(encode(capture))
        } else {
            item = .unprepared(capture)
        }
        #if HOOKSTASH_BENCH_STORE_FREE
            // The benchmark's store-free ceiling, compiled only by `scripts/bench` into a build of its own
            // (`-Xswiftc -DHOOKSTASH_BENCH_STORE_FREE`): everything up to the store runs (framing, the handler, the
            // signature check, the JSON columns), then the capture is answered without being stored. A hookstash
            // that answers before the commit is never built otherwise.
            _ = item
            completion(.success(StoredCapture(id: benchmarkStoreFreeIDs.add(1, ordering: .relaxed).newValue)))
            return
        #endif
        let startDrain = pending.withLock { state in
            state.items.append((item, completion))
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain {
            queue.async { self.drain() }
        }
    }

    /// Prepares (signature verdict), then encodes with the forward queue and the matching response rules.
    private func encode(_ capture: Capture) -> EncodedCapture {
        var prepared = capture
        prepare(&prepared)
        var encoded = EncodedCapture(prepared, forwardQueue: forwardQueue(prepared))
        encoded.ruleCandidates = ruleCandidates(prepared)
        return encoded
    }

    public func submit(_ capture: Capture) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            submit(capture) { continuation.resume(with: $0) }
        }
    }

    /// Blocks until every capture submitted so far is committed or failed.
    public func waitUntilIdle() {
        while pending.withLock({ $0.draining }) {
            queue.sync {}
        }
    }

    private func drain() {
        while true {
            let batch: [(Pending.Item, StoredCompletion)] = pending.withLock { state in
                if state.items.isEmpty {
                    state.draining = false
                    return []
                }
                let count = min(state.items.count, maxBatch)
                let batch = Array(state.items.prefix(count))
                state.items.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            let encoded = batch.map { item, _ in
                switch item {
                case .encoded(let encoded):
                    return encoded
                case .unprepared(let capture):
                    return encode(capture)
                }
            }
            do {
                let stored = try store.insertChoosingRules(encoded: encoded)
                var captures = encoded.map(\.capture)
                for index in captures.indices {
                    captures[index].id = stored[index].id
                    if let answer = stored[index].ruleAnswer {
                        captures[index].answeredBy = .rule
                        captures[index].rule = answer.ruleName
                        captures[index].responseStatus = answer.action == .answer ? answer.status : 0
                    }
                }
                for (index, item) in batch.enumerated() { item.1(.success(stored[index])) }
                committed(captures)
            } catch {
                for item in batch { item.1(.failure(error)) }
            }
        }
    }
}
