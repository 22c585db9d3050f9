import Dispatch
import Foundation
import Synchronization

/// A fixed set of threads, each with its own libcurl handle, delivering requests concurrently.
///
/// Each thread keeps its handle for its whole life, so consecutive requests to the same target reuse an open
/// connection (keep-alive). Requests are taken in submission order. Call `shutdown()` when done: the threads
/// keep the workers alive until then.
public final class DeliveryWorkers: Sendable {
    private struct Job: Sendable {
        var request: OutgoingRequest
        var options: DeliveryOptions
        var completion: @Sendable (DeliveryOutcome) -> Void
    }

    private struct State: ~Copyable {
        var jobs: [Job] = []
        var head = 0
        var stopping = false
    }

    public let count: Int
    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let stopped = DispatchGroup()

    /// Starts `count` threads (at least one).
    public init(count: Int) {
        self.count = max(1, count)
        for index in 0..<self.count {
            stopped.enter()
            let thread = Thread { [self] in
                run()
                stopped.leave()
            }
            thread.name = "hookstash-delivery-\(index)"
            thread.start()
        }
    }

    /// Queues a delivery; `completion` runs on a worker thread.
    public func submit(
        _ request: OutgoingRequest, options: DeliveryOptions,
        completion: @escaping @Sendable (DeliveryOutcome) -> Void
    ) {
        let accepted = state.withLock { state in
            guard !state.stopping else { return false }
            state.jobs.append(Job(request: request, options: options, completion: completion))
            return true
        }
        if accepted {
            available.signal()
        } else {
            completion(
                DeliveryOutcome(
                    requestHead: [], response: nil, timings: .init(), newConnection: false,
                    error: .other("hookstash is shutting down; the delivery was not attempted"),
                    startedAt: .now()))
        }
    }

    /// Delivers `request` on a worker thread and returns what happened.
    public func deliver(_ request: OutgoingRequest, options: DeliveryOptions) async -> DeliveryOutcome {
        await withCheckedContinuation { continuation in
            submit(request, options: options) { continuation.resume(returning: $0) }
        }
    }

    /// Lets queued deliveries finish, then stops the threads and waits for them.
    public func shutdown() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        for _ in 0..<count { available.signal() }
        stopped.wait()
    }

    private func run() {
        let easy: CurlEasy?
        let setupError: DeliveryError?
        do {
            easy = try CurlEasy()
            setupError = nil
        } catch {
            easy = nil
            setupError = error
        }
        while true {
            available.wait()
            let job: Job? = state.withLock { state in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 1024, state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            guard let job else { return }  // woken by shutdown with nothing left
            if let easy {
                job.completion(easy.perform(job.request, options: job.options))
            } else {
                job.completion(
                    DeliveryOutcome(
                        requestHead: [], response: nil, timings: .init(), newConnection: false, error: setupError,
                        startedAt: .now()))
            }
        }
    }
}
