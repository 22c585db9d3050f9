import HookstashCore
import HookstashDelivery
import HookstashStore
import Logging

/// Sends each committed capture to the forward target of its route (the default forward target, or an
/// endpoint's `forward` in the configuration file): one durable `ForwardQueue`, run as a `ForwardQueueService`, per distinct target.
///
/// `ServeApplication` wires it: the capture writer gets `queueKey(for:)` (the capture is queued in the transaction
/// that stores it) and calls `notifyQueued` once committed; `services` join the service group. `enqueue` queues
/// captures stored earlier.
public struct CaptureForwarder: Sendable {
    /// Limits shared by every target; nil keeps the documented default.
    public struct Limits: Sendable {
        /// Delay before the first retry.
        public var retryInitial: Duration?
        /// Longest delay between retries.
        public var retryMax: Duration?
        /// Attempts before a forward is given up.
        public var maxAttempts: Int?
        /// Forwards in flight at once per target (1 keeps capture order).
        public var concurrency: Int?
        /// Total time allowed for one attempt.
        public var timeout: Duration?
        /// Where forwards may go (link-local and metadata addresses are refused unless allowed).
        public var targetGuard: TargetGuard

        public init(
            retryInitial: Duration? = nil, retryMax: Duration? = nil, maxAttempts: Int? = nil,
            concurrency: Int? = nil, timeout: Duration? = nil, targetGuard: TargetGuard = TargetGuard()
        ) {
            self.targetGuard = targetGuard
            self.retryInitial = retryInitial
            self.retryMax = retryMax
            self.maxAttempts = maxAttempts
            self.concurrency = concurrency
            self.timeout = timeout
        }
    }

    public let router: EndpointRouter
    /// One per forward target; empty when nothing is forwarded.
    public let services: [ForwardQueueService]
    private let queues: [String: ForwardQueue]
    private let logger: Logger

    /// Throws `TargetRefusal` when a forward target is one the guard refuses.
    public init(store: CaptureStore, router: EndpointRouter, logger: Logger, limits: Limits = Limits()) throws {
        self.router = router
        self.logger = logger
        var services: [ForwardQueueService] = []
        var queues: [String: ForwardQueue] = [:]
        for url in router.forwardTargets {
            let service = try ForwardQueueService(
                store: store, url: url, logger: logger, retryInitial: limits.retryInitial,
                retryMax: limits.retryMax, maxAttempts: limits.maxAttempts,
                concurrency: limits.concurrency, timeout: limits.timeout, targetGuard: limits.targetGuard)
            services.append(service)
            queues[url] = service.queue
        }
        self.services = services
        self.queues = queues
    }

    /// Queues each capture for its route's target, in capture order. Durable when it returns; a store failure is
    /// logged (the capture itself is stored; `replay` can still send it).
    public func enqueue(_ captures: [Capture]) {
        guard !queues.isEmpty else { return }
        var byTarget: [String: [Int64]] = [:]
        var order: [String] = []
        for capture in captures where !capture.malformed {
            guard let url = router.route(forPath: capture.target.path).forward else { continue }
            if byTarget[url] == nil { order.append(url) }
            byTarget[url, default: []].append(capture.id)
        }
        for url in order {
            guard let queue = queues[url], let ids = byTarget[url] else { continue }
            do {
                try queue.enqueue(ids)
            } catch {
                logger.error(
                    "cannot queue captures for forwarding",
                    metadata: [
                        "hookstash.forward.to": "\(url)", "error": "\(error)", "hookstash.capture.ids": "\(ids)",
                    ])
            }
        }
    }

    /// The queue `capture` joins, for the capture writer to add it in the transaction that stores it (so a crash
    /// between storing and queueing cannot lose a forward); nil when its route forwards nowhere.
    public func queueKey(for capture: Capture) -> String? {
        guard !capture.malformed, capture.problem == nil,
            let url = router.route(forPath: capture.target.path).forward
        else { return nil }
        return queues[url]?.queueKey
    }

    /// Wakes the queues that `captures` (queued by the writer) joined.
    public func notifyQueued(_ captures: [Capture]) {
        var woken = Set<String>()
        for capture in captures {
            guard queueKey(for: capture) != nil, let url = router.route(forPath: capture.target.path).forward,
                woken.insert(url).inserted
            else { continue }
            queues[url]?.notifyEnqueued()
        }
    }

    /// Synchronous forwarding: forwards `capture` (already committed) at once and returns the target's answer to
    /// relay to the sender, within `budget`; nil when its route forwards nowhere or nothing could be sent. Call it
    /// instead of `enqueue` for that capture; a failed attempt stays queued and is retried.
    public func forwardNow(_ capture: Capture, budget: Duration = .milliseconds(4500)) async -> DeliveryOutcome? {
        guard !capture.malformed, let url = router.route(forPath: capture.target.path).forward,
            let queue = queues[url]
        else { return nil }
        let budgetMs = Int(
            clamping: budget.components.seconds * 1000 + budget.components.attoseconds / 1_000_000_000_000_000)
        return await queue.forwardNow(capture.id, budgetMs: budgetMs)
    }

    /// The answer to relay to the sender of `capture` under synchronous forwarding: the target's own answer
    /// (its status, body and end-to-end headers) when it came complete within `budget`; nil otherwise (the sender
    /// gets the configured answer).
    public func answerWithTargetsAnswer(
        _ capture: Capture, budget: Duration = .milliseconds(4500)
    ) async -> CaptureResponse? {
        guard let outcome = await forwardNow(capture, budget: budget), let response = outcome.response,
            !response.truncated
        else { return nil }
        var headers = response.headers
        for name in ["Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "TE", "Trailer", "Upgrade"] {
            headers.remove(name)
        }
        return CaptureResponse(status: response.status, headers: headers, body: response.body)
    }
}
