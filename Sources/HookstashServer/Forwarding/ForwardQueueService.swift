import HookstashDelivery
import Logging
import ServiceLifecycle

/// `serve --forward URL`: runs a `ForwardQueue` under the service group, stopping on graceful shutdown.
/// Pending forwards stay in the store and resume on the next start.
public struct ForwardQueueService: Service {
    public let queue: ForwardQueue
    private let logger: Logger

    public init(queue: ForwardQueue, logger: Logger) {
        self.queue = queue
        self.logger = logger
    }

    public func run() async throws {
        let pending = (try? queue.pendingCount()) ?? 0
        logger.info(
            "forwarding captures",
            metadata: ["hookstash.forward.to": "\(queue.queueKey)", "hookstash.forward.pending": "\(pending)"])
        try await cancelWhenGracefulShutdown {
            try await queue.run()
        }
        logger.info("forwarding stopped", metadata: ["hookstash.forward.to": "\(queue.queueKey)"])
    }
}
