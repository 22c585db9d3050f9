import HookstashCore
import HookstashStore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The capture listener: accepts every request on any method and path, stores it raw, and answers after the
/// commit. A `Service`: on graceful shutdown it stops accepting, lets in-flight requests finish and be committed,
/// closes idle keep-alive connections, then returns (NIOExtras' `ServerQuiescingHelper`; a connection still busy
/// after the grace period is closed).
public actor CaptureListener: Service {
    private let configuration: CaptureListenerConfiguration
    private let store: CaptureStore
    private let writer: CaptureWriter
    private let group: any EventLoopGroup
    private let logger: Logger
    private var serverChannel: (any Channel)?
    private var quiescing: ServerQuiescingHelper?
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
        let quiescing = ServerQuiescingHelper(group: group)
        let grace = TimeAmount.nanoseconds(Self.nanoseconds(shutdownGrace))
        let configuration = self.configuration
        let store = self.store
        let writer = self.writer
        let logger = self.logger
        let timeouts = CaptureRequestDecoder.Timeouts(
            header: .nanoseconds(Self.nanoseconds(configuration.headerTimeout)),
            body: .nanoseconds(Self.nanoseconds(configuration.bodyTimeout)),
            idle: .nanoseconds(Self.nanoseconds(configuration.idleTimeout)),
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
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimit(limit: configuration.maxConnections, logger: logger))
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoff(logger: logger))
                }
            }
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(QuiesceDeadline(grace: grace))
                    try sync.addHandler(CaptureRequestDecoder(limits: limits, timeouts: timeouts))
                    try sync.addHandler(
                        CaptureHandler(writer: writer, store: store, configuration: configuration, logger: logger))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw BindError(
                listener: .capture, host: configuration.host, port: configuration.port, reason: Self.reason(error))
        }
        serverChannel = channel
        self.quiescing = quiescing
        logger.info("capture listener started", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        return channel.localAddress!
    }

    public func run() async throws {
        try await start()
        // Returns on graceful shutdown (SIGTERM/SIGINT through the ServiceGroup) or cancellation.
        try? await gracefulShutdown()
        await stop()
    }

    /// Stops accepting, waits for in-flight requests to be answered (each connection gets the grace period, then
    /// is closed) and idle connections to close, then for every submitted capture to be committed.
    public func stop() async {
        guard let quiescing, serverChannel != nil else { return }
        self.quiescing = nil
        self.serverChannel = nil
        let closed = group.next().makePromise(of: Void.self)
        quiescing.initiateShutdown(promise: closed)
        try? await closed.futureResult.get()
        writer.waitUntilIdle()
        logger.info("capture listener stopped")
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    static func reason(_ error: any Error) -> BindError.Reason {
        guard let error = error as? IOError else { return .other("\(error)") }
        return error.errnoCode == EADDRINUSE ? .addressInUse : .other(error.description)
    }
}
