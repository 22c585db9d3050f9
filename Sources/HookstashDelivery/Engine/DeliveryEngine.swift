import CCurl
import Dispatch
import Foundation
import HookstashCore
import Synchronization

/// Every hookstash delivery goes through one of these: libcurl's multi interface driven by one dedicated thread
/// (`curl_multi_poll`), with at most `maxTransfers` exchanges in flight, open connections kept and reused per host
/// (the multi handle's connection cache), and at most `maxConnectionsPerHost` connections to any one host.
///
/// `deliver` is async and cancellation-safe: a cancelled delivery that has not started is dropped, one in flight is
/// removed from the multi handle (its connection closed), and both end with a `cancelled` error. Requests start in
/// submission order. A slow or silent target holds only its own transfers (each ends at its timeout); the others
/// proceed. Call `shutdown()` when done: the thread keeps the engine alive until then.
public final class DeliveryEngine: Sendable {
    /// Identifies a submitted delivery, for `cancel`.
    public struct Ticket: Sendable, Hashable {
        fileprivate let value: UInt64
    }

    private struct Job: Sendable {
        var ticket: Ticket
        var request: OutgoingRequest
        var options: DeliveryOptions
        var submittedAt: Timestamp
        var completion: @Sendable (DeliveryOutcome) -> Void
    }

    private struct State: ~Copyable {
        var jobs: [Job?] = []
        var head = 0
        var nextTicket: UInt64 = 0
        /// Cancelled deliveries already handed to the thread; it removes those still in flight.
        var cancelledInFlight: [Ticket] = []
        var stopping = false
    }

    /// Transfers in flight at most.
    public let maxTransfers: Int
    /// Connections to one host (name and port) at most; 0 for no limit beyond `maxTransfers`. Transfers beyond it
    /// wait inside libcurl for a connection to that host to be free (their timeouts run while they wait).
    public let maxConnectionsPerHost: Int
    private let state = Mutex(State())
    private let multi: MultiHandle
    private let stopped = DispatchSemaphore(value: 0)

    /// Starts the engine's thread.
    /// - Parameters:
    ///   - maxTransfers: transfers in flight at most (at least 1).
    ///   - maxConnectionsPerHost: connections to one host at most; 0 for no limit beyond `maxTransfers`.
    public init(maxTransfers: Int, maxConnectionsPerHost: Int = 0) {
        self.maxTransfers = max(1, maxTransfers)
        self.maxConnectionsPerHost = max(0, maxConnectionsPerHost)
        self.multi = MultiHandle(maxTransfers: self.maxTransfers, maxConnectionsPerHost: self.maxConnectionsPerHost)
        let thread = Thread { [self] in
            run()
            stopped.signal()
        }
        thread.name = "hookstash-delivery"
        thread.start()
    }

    /// Queues a delivery; `completion` runs once, on the engine's thread (keep it short).
    @discardableResult
    public func submit(
        _ request: OutgoingRequest, options: DeliveryOptions,
        completion: @escaping @Sendable (DeliveryOutcome) -> Void
    ) -> Ticket? {
        // The guard's look at the name (and, through a proxy, a blocking resolution) happens here, on the caller's
        // thread, not on the one thread every transfer depends on.
        if let refusal = options.checkTarget(host: request.target.host) {
            completion(.failed(.targetRefused(refusal)))
            return nil
        }
        let ticket: Ticket? = state.withLock { state in
            guard !state.stopping else { return nil }
            let ticket = Ticket(value: state.nextTicket)
            state.nextTicket += 1
            state.jobs.append(
                Job(ticket: ticket, request: request, options: options, submittedAt: .now(), completion: completion))
            return ticket
        }
        guard let ticket else {
            completion(.failed(.other("hookstash is shutting down; the delivery was not attempted")))
            return nil
        }
        multi.wakeUp()
        return ticket
    }

    /// Ends a submitted delivery early with a `cancelled` error (nothing happens when it has ended already).
    public func cancel(_ ticket: Ticket) {
        let queued: Job? = state.withLock { state in
            for index in state.head..<state.jobs.count where state.jobs[index]?.ticket == ticket {
                defer { state.jobs[index] = nil }
                return state.jobs[index]
            }
            state.cancelledInFlight.append(ticket)
            return nil
        }
        if let queued {
            queued.completion(.failed(.cancelled, startedAt: queued.submittedAt))
        } else {
            multi.wakeUp()
        }
    }

    /// Delivers `request` and returns what happened; a cancelled task gets a `cancelled` error at once.
    public func deliver(_ request: OutgoingRequest, options: DeliveryOptions) async -> DeliveryOutcome {
        let ticket = Mutex<(ticket: Ticket?, cancelled: Bool)>((nil, false))
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let submitted = submit(request, options: options) { continuation.resume(returning: $0) }
                let cancelled = ticket.withLock { value in
                    value.ticket = submitted
                    return value.cancelled
                }
                if cancelled, let submitted { cancel(submitted) }
            }
        } onCancel: {
            let submitted = ticket.withLock { value in
                value.cancelled = true
                return value.ticket
            }
            if let submitted { cancel(submitted) }
        }
    }

    /// Lets queued deliveries finish, then stops the thread and waits for it.
    public func shutdown() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        multi.wakeUp()
        stopped.wait()
    }

    /// The engine's thread: starts queued jobs while there is room, lets libcurl do the I/O, finishes what is done,
    /// and sleeps in `curl_multi_poll` until a socket is ready, a timeout is due, or `wakeUp` is called.
    private func run() {
        guard CurlGlobal.initialized else {
            failEverything(.other("libcurl could not be initialised"))
            return
        }
        var running: [UnsafeMutableRawPointer: (transfer: CurlTransfer, job: Job)] = [:]
        var idleHandles: [UnsafeMutableRawPointer] = []
        defer {
            for handle in idleHandles { curl_easy_cleanup(handle) }
        }
        func complete(_ handle: UnsafeMutableRawPointer, _ code: CURLcode, error: DeliveryError? = nil) {
            guard let entry = running.removeValue(forKey: handle) else { return }
            _ = curl_multi_remove_handle(multi.handle, handle)
            var outcome = entry.transfer.finish(code)
            if let error { outcome.error = error }
            idleHandles.append(handle)
            entry.job.completion(outcome)
        }
        while true {
            let room = maxTransfers - running.count
            let (started, cancelled, finished): ([Job], [Ticket], Bool) = state.withLock { state in
                var started: [Job] = []
                while started.count < room, state.head < state.jobs.count {
                    if let job = state.jobs[state.head] { started.append(job) }
                    state.head += 1
                }
                if state.head > 1024, state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                defer { state.cancelledInFlight = [] }
                let finished = state.stopping && state.head == state.jobs.count && running.isEmpty && started.isEmpty
                return (started, state.cancelledInFlight, finished)
            }
            if finished { break }
            for job in started {
                guard let handle = idleHandles.popLast() ?? curl_easy_init() else {
                    job.completion(.failed(.other("libcurl could not create a handle"), startedAt: job.submittedAt))
                    continue
                }
                let transfer = CurlTransfer(
                    handle: handle, request: job.request, options: job.options, startedAt: .now())
                running[handle] = (transfer, job)
                if transfer.setupStatus != CURLE_OK || curl_multi_add_handle(multi.handle, handle) != CURLM_OK {
                    complete(handle, transfer.setupStatus != CURLE_OK ? transfer.setupStatus : CURLE_FAILED_INIT)
                }
            }
            for ticket in cancelled {
                if let handle = running.first(where: { $0.value.job.ticket == ticket })?.key {
                    complete(handle, CURLE_ABORTED_BY_CALLBACK, error: .cancelled)
                }
            }
            var active: Int32 = 0
            _ = curl_multi_perform(multi.handle, &active)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi.handle, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                complete(handle, hookstash_curl_msg_result(message))
            }
            // Returns at once when work is waiting (curl_multi_wakeup from `submit`, `cancel` or `shutdown`).
            _ = curl_multi_poll(multi.handle, nil, 0, 1000, nil)
        }
    }

    /// Without libcurl: every delivery, now and later, fails with `error`.
    private func failEverything(_ error: DeliveryError) {
        while true {
            let (jobs, finished): ([Job], Bool) = state.withLock { state in
                let jobs = state.jobs[state.head...].compactMap { $0 }
                state.jobs = []
                state.head = 0
                return (jobs, state.stopping)
            }
            for job in jobs { job.completion(.failed(error, startedAt: job.submittedAt)) }
            if finished { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}

/// The multi handle: created and freed with the engine, driven only by its thread, except `curl_multi_wakeup`,
/// which libcurl documents as callable from any thread.
private final class MultiHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer?

    init(maxTransfers: Int, maxConnectionsPerHost: Int) {
        handle = CurlGlobal.initialized ? curl_multi_init() : nil
        guard let handle else { return }
        _ = hookstash_curl_multi_setopt_long(handle, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        // No CURLMOPT_MAX_TOTAL_CONNECTIONS: the engine starts at most `maxTransfers` transfers, so connections in use
        // are bounded already, and libcurl's pending-for-a-connection path is left to the per-host limit alone.
        // The connection cache: as many open connections as transfers, kept for reuse.
        _ = hookstash_curl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, maxTransfers)
    }

    func wakeUp() {
        if let handle { _ = curl_multi_wakeup(handle) }
    }

    deinit {
        if let handle { _ = curl_multi_cleanup(handle) }
    }
}

extension DeliveryOutcome {
    /// Nothing was sent: `error` says why.
    static func failed(_ error: DeliveryError, startedAt: Timestamp = .now()) -> DeliveryOutcome {
        DeliveryOutcome(
            requestHead: [], response: nil, timings: .init(), newConnection: false, error: error, startedAt: startedAt)
    }
}
