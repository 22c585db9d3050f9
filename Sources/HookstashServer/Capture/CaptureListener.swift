import HookstashCore
import HookstashStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The capture listener: accepts every request on any method and path, stores it raw, and answers after the
/// commit. A `Service`: on graceful shutdown it stops accepting, lets in-flight requests finish and be committed,
/// then returns.
public actor CaptureListener: Service {
    private let configuration: CaptureListenerConfiguration
    private let store: CaptureStore
    private let writer: CaptureWriter
    private let group: any EventLoopGroup
    private let logger: Logger
    private var serverChannel: (any Channel)?
    private var connections: ConnectionRegistry?
    /// How long in-flight requests get to finish on shutdown before their connections are closed.
    private let shutdownGrace: Duration

    public init(
        configuration: CaptureListenerConfiguration,
        store: CaptureStore,
        writer: CaptureWriter,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        shutdownGrace: Duration = .seconds(10),
        logger: Logger = Logger(label: "hookstash.capture", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.store = store
        self.writer = writer
        self.group = group
        self.shutdownGrace = shutdownGrace
        self.logger = logger
    }

    /// Binds the listener and returns the bound address (the real port when configured with port 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        if let serverChannel, let address = serverChannel.localAddress { return address }
        let connections = ConnectionRegistry()
        let configuration = self.configuration
        let store = self.store
        let writer = self.writer
        let logger = self.logger
        let timeouts = CaptureRequestDecoder.Timeouts(
            header: .nanoseconds(Int64(configuration.headerTimeout * 1e9)),
            body: .nanoseconds(Int64(configuration.bodyTimeout * 1e9)),
            idle: .nanoseconds(Int64(configuration.idleTimeout * 1e9)),
            minimumBodyRate: configuration.minimumBodyRate)
        let limits = HTTPRequestParser.Limits(
            maxHeadSize: configuration.maxHeadSize, maxChunkExtensionBytes: configuration.maxChunkExtensionSize,
            maxFramingBytes: configuration.maxChunkFramingSize)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimit(limit: configuration.maxConnections, logger: logger))
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoff(logger: logger))
                }
            }
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                connections.register(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(CaptureRequestDecoder(limits: limits, timeouts: timeouts))
                    try sync.addHandler(
                        CaptureHandler(writer: writer, store: store, configuration: configuration, logger: logger))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw HookstashError.io(
                "cannot listen on \(configuration.host):\(configuration.port): \(Self.describe(error))")
        }
        serverChannel = channel
        self.connections = connections
        logger.info("capture listener started", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        return channel.localAddress!
    }

    public func run() async throws {
        try await start()
        // Returns on graceful shutdown (SIGTERM/SIGINT through the ServiceGroup) or cancellation.
        try? await gracefulShutdown()
        await stop()
    }

    /// Stops accepting, waits for in-flight requests to be answered (up to the grace period), then for every
    /// submitted capture to be committed.
    public func stop() async {
        guard let connections, let serverChannel else { return }
        self.connections = nil
        self.serverChannel = nil
        try? await serverChannel.close()
        let promise = group.next().makePromise(of: Void.self)
        connections.quiesce(promise: promise)
        let grace = shutdownGrace
        let finished = await withTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { (try? await promise.futureResult.get()) != nil }
            tasks.addTask {
                try? await Task.sleep(for: grace)
                return false
            }
            let first = await tasks.next() ?? false
            tasks.cancelAll()
            return first
        }
        if !finished {
            connections.closeAll()
            try? await promise.futureResult.get()
        }
        writer.waitUntilIdle()
        logger.info("capture listener stopped")
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        if error.errnoCode == EADDRINUSE {
            return "the address is in use (is another hookstash serve running?); pass --listen with another port"
        }
        return error.description
    }
}
