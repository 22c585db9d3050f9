import HookstashCore
import HookstashDelivery
import HookstashStore

/// `hookstash pull`: a follower importing captures from a remote hookstash and a queue delivering them, in order,
/// to a local target. Both resume from the local store after a restart.
public struct Relay: Sendable {
    public struct Configuration: Sendable {
        public var remote: RemoteInspector
        public var target: DeliveryTarget
        public var settings: ReplaySettings
        public var options: DeliveryOptions
        /// Backoff for deliveries to the local target. Never gives up: a capture is not skipped because the local
        /// app was down.
        public var retry: RetryPolicy
        /// Backoff for reconnecting to the remote.
        public var reconnect: RetryPolicy
        public var transform: Replayer.Transform?
        /// Start after this remote capture id (0: the first) instead of where the last run stopped.
        public var startAfter: Int64?

        public init(
            remote: RemoteInspector, target: DeliveryTarget, settings: ReplaySettings = ReplaySettings(),
            options: DeliveryOptions = DeliveryOptions(),
            retry: RetryPolicy = RetryPolicy(initialDelay: 0.5, maxDelay: 30, maxAttempts: Int.max),
            reconnect: RetryPolicy = RetryPolicy(initialDelay: 0.5, maxDelay: 30, maxAttempts: Int.max),
            transform: Replayer.Transform? = nil, startAfter: Int64? = nil
        ) {
            self.remote = remote
            self.target = target
            self.settings = settings
            self.options = options
            self.retry = retry
            self.reconnect = reconnect
            self.transform = transform
            self.startAfter = startAfter
        }
    }

    public let store: CaptureStore
    public let configuration: Configuration
    private let onEvent: @Sendable (RelayEvent) -> Void

    public init(
        store: CaptureStore, configuration: Configuration, onEvent: @escaping @Sendable (RelayEvent) -> Void
    ) {
        self.store = store
        self.configuration = configuration
        self.onEvent = onEvent
    }

    /// Follows and delivers until cancelled; throws when the remote refuses us for good.
    public func run() async throws {
        let queue = RelayDeliveryQueue(
            store: store, target: configuration.target, settings: configuration.settings,
            options: configuration.options, policy: configuration.retry, transform: configuration.transform,
            onEvent: onEvent)
        let follower = RelayFollower(
            remote: configuration.remote, store: store, queueKey: queue.queueKey,
            reconnect: configuration.reconnect, startAfter: configuration.startAfter, imported: { _ in queue.wake() },
            onEvent: onEvent)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            group.addTask { try await follower.run() }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
