import HookstashCore
import HookstashStore

/// Re-delivers stored captures through the delivery engine and records every delivery in the store.
public struct Replayer: Sendable {
    /// The outcome for one capture: the delivery recorded, or why nothing was sent.
    public struct Result: Sendable {
        public var captureID: Int64
        /// The recorded delivery (its id set), nil when nothing was sent.
        public var delivery: Delivery?
        public var report: DeliveryReport?
        /// The request as sent (edited, re-signed), nil when nothing was sent.
        public var request: OutgoingRequest?
        /// Why the capture was not sent: `HookstashError` (not found), `DeliveryError` (not a sendable request),
        /// `ResignProblem`, or a `DeliveryRefusal`. The caller's wording says it.
        public var problem: (any Error)?

        /// The guard's decision, when a guard refused it (re-signing an unverified capture).
        public var refusal: (any DeliveryRefusal)? { problem as? any DeliveryRefusal }

        /// An answer arrived with a 2xx or 3xx status.
        public var succeeded: Bool {
            guard let status = delivery?.status, delivery?.error == nil else { return false }
            return (200..<400).contains(status)
        }
    }

    /// Changes a request before it is sent (re-signing); runs once per capture.
    public typealias Transform = OutgoingRequest.Transform

    public let store: CaptureStore
    public let engine: DeliveryEngine
    /// Deliveries recorded per transaction in bulk replays.
    public var recordBatchSize = 64

    public init(store: CaptureStore, engine: DeliveryEngine) {
        self.store = store
        self.engine = engine
    }

    /// The request that re-delivers capture `id`.
    public func request(
        for id: Int64, to target: DeliveryTarget, settings: ReplaySettings, transform: Transform? = nil
    ) throws -> OutgoingRequest {
        try request(for: try store.requireCapture(id: id), to: target, settings: settings, transform: transform)
    }

    /// The request that re-delivers `capture` (its body read from the store when it was spilled to a file).
    public func request(
        for capture: Capture, to target: DeliveryTarget, settings: ReplaySettings, transform: Transform? = nil
    ) throws -> OutgoingRequest {
        try OutgoingRequest.replaying(capture, from: store, to: target, settings: settings, transform: transform)
    }

    /// Delivers each capture in `ids` (at most `engine.maxTransfers` at once), records each delivery, and reports each
    /// result to `onResult` as it is recorded (completion order). Returns every result, or none when
    /// `keepResults` is false (a bulk replay of many captures need not hold every response in memory).
    @discardableResult
    public func replay(
        _ ids: [Int64], to target: DeliveryTarget, settings: ReplaySettings = ReplaySettings(),
        options: DeliveryOptions = DeliveryOptions(), source: String = "replay", transform: Transform? = nil,
        keepResults: Bool = true, onResult: @Sendable (Result) -> Void = { _ in }
    ) async throws -> [Result] {
        var results: [Result] = []
        if keepResults { results.reserveCapacity(ids.count) }
        try await withThrowingTaskGroup(of: Result.self) { group in
            var inFlight = 0
            // Captures are read ahead in chunks, one read transaction per chunk.
            var position = 0
            var chunkEnd = 0
            var loaded: [Int64: Capture] = [:]
            func startNext() throws -> Bool {
                guard position < ids.count else { return false }
                if position >= chunkEnd {
                    chunkEnd = min(position + 256, ids.count)
                    loaded = try store.capturesForDelivery(Array(ids[position..<chunkEnd]))
                }
                let id = ids[position]
                position += 1
                let capture = loaded[id]
                inFlight += 1
                group.addTask {
                    let request: OutgoingRequest
                    do {
                        guard let capture else {
                            throw HookstashError.notFound("no capture with id \(id) in \(store.path)")
                        }
                        request = try self.request(for: capture, to: target, settings: settings, transform: transform)
                    } catch {
                        return Result(captureID: id, problem: error)
                    }
                    let outcome = await engine.deliver(request, options: options)
                    return Result(
                        captureID: id, delivery: Delivery(captureID: id, request: request, outcome: outcome),
                        report: DeliveryReport(source: source, request: request, outcome: outcome),
                        request: request)
                }
                return true
            }
            // A window of requests ahead of the engine, so reading the next chunk does not leave them idle.
            for _ in 0..<max(64, engine.maxTransfers * 8) where try !startNext() { break }
            var pending: [Result] = []
            func flush() throws {
                let recorded = pending.filter { $0.delivery != nil }
                let ids = try store.recordDeliveries(recorded.map { ($0.delivery!, $0.report?.json()) })
                var index = 0
                for var result in pending {
                    if result.delivery != nil {
                        result.delivery!.id = ids[index]
                        index += 1
                    }
                    onResult(result)
                    if keepResults { results.append(result) }
                }
                pending = []
            }
            while let result = try await group.next() {
                inFlight -= 1
                pending.append(result)
                _ = try startNext()
                if pending.count >= recordBatchSize || inFlight == 0 {
                    try flush()
                }
            }
            try flush()
        }
        return results
    }
}
