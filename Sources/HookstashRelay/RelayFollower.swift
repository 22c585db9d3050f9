import Foundation
import HookstashCore
import HookstashDelivery
import HookstashStore
import Synchronization

/// Follows a remote inspector's event stream and imports each new capture into the local store, in capture order,
/// resuming after the last one imported. Reconnects with backoff when the remote is unreachable.
///
/// Only an import (in one transaction with the position and the queue entry) moves the position, so a crash or a
/// broken stream can neither skip a capture nor import one twice.
public final class RelayFollower: Sendable {
    public let remote: RemoteInspector
    public let store: CaptureStore
    private let queueKey: String
    private let reconnect: RetryPolicy
    /// Told when a capture was queued.
    private let imported: @Sendable (Int64) -> Void
    private let onEvent: @Sendable (RelayEvent) -> Void
    /// Seconds without a byte (the inspector sends a keep-alive every 15 s) before the stream is considered dead.
    private let idleTimeout: Duration
    /// The remote capture id to start after, instead of the stored position (or, on a first
    /// run, the remote's newest).
    private let startAfter: Int64?
    /// Pulled bodies larger than this go to body files, as captured ones do.
    let spillThreshold: Int

    public init(
        remote: RemoteInspector, store: CaptureStore, queueKey: String,
        reconnect: RetryPolicy = RetryPolicy(initialDelay: 0.5, maxDelay: 30, maxAttempts: Int.max),
        idleTimeout: Duration = .seconds(45), startAfter: Int64? = nil, spillThreshold: Int = 1 << 20,
        imported: @escaping @Sendable (Int64) -> Void, onEvent: @escaping @Sendable (RelayEvent) -> Void
    ) {
        self.spillThreshold = spillThreshold
        self.remote = remote
        self.store = store
        self.queueKey = queueKey
        self.reconnect = reconnect
        self.idleTimeout = idleTimeout
        self.startAfter = startAfter
        self.imported = imported
        self.onEvent = onEvent
    }

    /// Follows until cancelled; throws only when retrying cannot help (bad token, not an inspector).
    public func run() async throws {
        let workers = DeliveryWorkers(count: 1)
        defer { workers.shutdown() }
        var failures = 0
        var connected = false
        var lastProblem: String?
        if let startAfter {
            try store.moveRelayPosition(remote: remote.url, to: startAfter)
        }
        while !Task.isCancelled {
            let problem: String
            do {
                let newest = try await remote.newestCaptureID(workers: workers)
                let position =
                    try store.relayPosition(remote: remote.url)
                    ?? store.startRelay(remote: remote.url, after: newest)
                let result = try await follow(after: position, newest: newest, workers: workers) {
                    failures = 0
                    connected = true
                    lastProblem = nil
                }
                problem = result
            } catch let error as RelayError {
                if error.isFatal { throw error }
                problem = error.message
            } catch {
                problem = "\(error)"
            }
            if Task.isCancelled { return }
            failures += 1
            if connected {
                onEvent(.disconnected(remote: remote.url, reason: problem))
            } else if lastProblem == nil {
                onEvent(.unreachable(remote: remote.url, reason: problem))
            }
            let delay = reconnect.delay(afterAttempt: failures, random: Double.random(in: 0..<1))
            // One line while the pause grows; silence once it stays at its longest.
            if failures == 1
                || reconnect.baseDelay(afterAttempt: failures) != reconnect.baseDelay(afterAttempt: failures - 1)
            {
                onEvent(.retrying(inSeconds: delay))
            }
            connected = false
            lastProblem = problem
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
        }
    }

    /// One connection: opens the stream after `position` and imports what it announces until it ends. Returns
    /// why it ended.
    private func follow(
        after start: Int64, newest: Int64, workers: DeliveryWorkers, opened: () -> Void
    ) async throws -> String {
        let (signals, continuation) = AsyncStream.makeStream(of: StreamSignal.self)
        let stop = StopFlag()
        let remote = self.remote
        // Whole seconds at the libcurl stream (at least one).
        let idle = max(1, Int(idleTimeout.components.seconds))
        let thread = Thread {
            var end: CurlStream.End
            do {
                let stream = try CurlStream()
                var parser = ServerSentEventParser()
                end = stream.run(
                    url: remote.eventsURL, headers: remote.eventHeaders(after: start), options: remote.options,
                    idleTimeoutSeconds: idle, onOpen: { continuation.yield(.open) },
                    onData: { bytes in
                        for event in parser.feed(bytes) where event.name == "capture" {
                            if let id = event.id.flatMap({ Int64($0) }) { continuation.yield(.capture(id)) }
                        }
                        return !stop.isSet && !parser.overflowed
                    })
                if parser.overflowed {
                    end = .failed(
                        "the event stream sent a line or an event longer than "
                            + "\(ServerSentEventParser.defaultLineLimit / 1024) KiB; it was dropped")
                }
            } catch {
                end = .failed("\(error)")
            }
            continuation.yield(.end(end))
            continuation.finish()
        }
        thread.name = "hookstash-pull-events"
        thread.start()
        defer { stop.set() }

        var position = start
        var caughtUp = false
        for await signal in signals {
            switch signal {
            case .open:
                opened()
                onEvent(.connected(remote: remote.url, after: position))
                if newest < position {
                    onEvent(.remoteBehind(remote: remote.url, newest: newest, position: position))
                }
                if position >= newest {
                    caughtUp = true
                    onEvent(.caughtUp(remote: remote.url, position: position))
                }
            case .capture(let id):
                guard id > position else { continue }
                // On failure the stream is dropped (deferred stop) and reopened after the last capture imported.
                try await importCapture(id, workers: workers)
                position = id
                if !caughtUp, position >= newest {
                    caughtUp = true
                    onEvent(.caughtUp(remote: remote.url, position: position))
                }
            case .end(let end):
                switch end {
                case .closed: return "the remote closed the event stream"
                case .stopped: return "the event stream was stopped"
                case .failed(let reason): return reason
                case .refused(let status, _) where status == 401 || status == 403:
                    throw RelayError.unauthorized(
                        "\(remote.url) refused the event stream (\(status)): it needs the inspector's token")
                case .refused(let status, _) where status == 404:
                    throw RelayError.refused("\(remote.url) has no hookstash event stream (/api/events answered 404)")
                case .refused(let status, _): return "the event stream was answered \(status)"
                }
            }
        }
        return "the event stream ended"
    }

    private func importCapture(_ id: Int64, workers: DeliveryWorkers) async throws {
        // Pulled already (a start position went back over it): not fetched, imported or delivered again.
        if try store.hasRelayed(remote: remote.url, remoteID: id) {
            try store.passOverRelayed(remote: remote.url, remoteID: id)
            return
        }
        guard let fetched = try await remote.capture(id: id, workers: workers) else {
            // Deleted on the remote before it could be read: nothing to deliver.
            try store.passOverRelayed(remote: remote.url, remoteID: id)
            return
        }
        let capture = try spilled(fetched)
        do {
            if let localID = try store.importRelayed(capture, remote: remote.url, remoteID: id, queue: queueKey) {
                imported(localID)
            } else {
                store.removeBodyFiles(capture.bodyFileNames)
            }
        } catch {
            store.removeBodyFiles(capture.bodyFileNames)
            throw error
        }
    }

    /// `capture` with bodies over `spillThreshold` written to body files, as the capture listener stores them, so
    /// that a large pulled capture does not sit in a database row.
    func spilled(_ capture: Capture) throws -> Capture {
        var capture = capture
        func spill(_ body: BodyBytes?, suffix: String) throws -> BodyBytes? {
            guard case .inline(let bytes) = body, bytes.count > spillThreshold else { return body }
            let sink = BodySink(store: store, spillThreshold: spillThreshold, suffix: suffix)
            sink.append(bytes)
            return try sink.finish()
        }
        capture.body = try spill(capture.body, suffix: "body") ?? capture.body
        do {
            capture.rawBody = try spill(capture.rawBody, suffix: "raw")
        } catch {
            store.removeBodyFiles(capture.bodyFileNames)
            throw error
        }
        return capture
    }
}

private enum StreamSignal: Sendable {
    case open
    case capture(Int64)
    case end(CurlStream.End)
}

/// Set once to ask the stream's thread to stop at its next piece of data.
private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

extension Capture {
    /// The body files this capture refers to.
    fileprivate var bodyFileNames: [String] {
        [body, rawBody].compactMap { body in
            guard case .file(let name, _) = body else { return nil }
            return name
        }
    }
}
