import HookstashCore
import HookstashStore
import Logging
import ServiceLifecycle

/// Keeps the store within a retention policy (at most N captures, none older than a duration): prunes the oldest captures (and their body
/// files) in the background, and removes body files that no capture refers to.
public struct RetentionService: Service {
    public struct Policy: Sendable, Hashable {
        public var keepAtMost: Int?
        /// Captures older than this are pruned.
        public var keepFor: Duration?

        public init(keepAtMost: Int? = nil, keepFor: Duration? = nil) {
            self.keepAtMost = keepAtMost
            self.keepFor = keepFor
        }
    }

    private let store: CaptureStore
    private let policy: Policy
    private let interval: Duration
    private let logger: Logger

    public init(store: CaptureStore, policy: Policy, interval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    /// One pass: returns how many captures were pruned.
    @discardableResult
    public func prune() throws -> Int {
        let cutoff = policy.keepFor.map { Timestamp.now().adding(seconds: -DurationText.seconds(of: $0)) }
        return try store.prune(keepAtMost: policy.keepAtMost, receivedBefore: cutoff)
    }

    public func run() async throws {
        do {
            try store.removeOrphanBodyFiles()
        } catch {
            logger.warning("could not sweep body files", metadata: ["error": "\(error)"])
        }
        guard policy.keepAtMost != nil || policy.keepFor != nil else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let pruned = try prune()
                    if pruned > 0 { logger.debug("pruned captures", metadata: ["count": "\(pruned)"]) }
                } catch {
                    logger.warning("could not prune captures", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
