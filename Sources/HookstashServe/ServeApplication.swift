import HookstashCore
import HookstashDelivery
import HookstashInspector
import HookstashServer
import HookstashSignatures
import HookstashStore
import Logging
import ServiceLifecycle
import UnixSignals

/// `hookstash serve` as a library: opens the store, wires the capture writer, router, signature check,
/// forwarder, replayer, capture listener, retention and inspector from a `ServeConfiguration`, and runs them as
/// one service group, as Hummingbird's `Application` does.
///
/// A `Service`: run it inside a service group of your own (graceful shutdown reaches every part), or call
/// `runService()` to run it with SIGTERM and SIGINT as graceful shutdown. On graceful shutdown the listener stops
/// accepting, in-flight requests are committed and answered, idle connections close, and every other part stops.
///
/// Nothing is printed: what a front end shows comes through `Hooks`.
public struct ServeApplication: Service {
    /// What a running application reports, for a front end to show.
    public struct Hooks: Sendable {
        /// Once, when the capture listener accepts connections and before anything else runs.
        public var listening: @Sendable (Running) async -> Void
        /// Once, with the bound port, when the inspector accepts connections.
        public var inspectorRunning: @Sendable (_ port: Int) async -> Void
        /// With every committed batch of captures, in order (after forwarding was told of them).
        public var committed: @Sendable ([Capture]) -> Void

        public init(
            listening: @escaping @Sendable (Running) async -> Void = { _ in },
            inspectorRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
            committed: @escaping @Sendable ([Capture]) -> Void = { _ in }
        ) {
            self.listening = listening
            self.inspectorRunning = inspectorRunning
            self.committed = committed
        }
    }

    /// Where a running application captures and stores.
    public struct Running: Sendable {
        /// The capture listener's bound port (the real one when configured with port 0).
        public var capturePort: Int
        /// The store's file.
        public var storePath: String
        /// The endpoints of the configuration, in file order.
        public var endpoints: [EndpointConfiguration]
    }

    public let configuration: ServeConfiguration
    public let hooks: Hooks
    private let logger: Logger

    public init(
        configuration: ServeConfiguration, hooks: Hooks = Hooks(),
        logger: Logger = Logger(label: "hookstash", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.hooks = hooks
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func runService(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: self)], gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
        try await group.run()
    }

    /// Builds every part, binds the listeners and runs until graceful shutdown (or cancellation). Throws before
    /// anything listens when the store cannot be opened or written, a forward target is refused
    /// (`TargetRefusal`), the inspector's address is taken (`BindError`), or the capture listener cannot bind
    /// (`BindError`).
    public func run() async throws {
        let configuration = self.configuration
        let logger = self.logger
        let hooks = self.hooks
        // Before the connection limits are sized from it.
        let budget =
            configuration.raisesDescriptorLimit
            ? DescriptorBudget(descriptorLimit: ProcessDescriptorLimit.raiseSoftLimit())
            : ProcessDescriptorLimit.budget()

        let store = try CaptureStore(
            path: configuration.store.path, mode: .createIfMissing, maxSize: configuration.store.maxSize?.bytes,
            checkpoints: .background)
        try store.requireWritableFile()

        let router = EndpointRouter(
            configuration: configuration.endpoints, defaultPolicy: configuration.signatures,
            defaultResponse: configuration.response, defaultForward: configuration.forwarding.target)
        var limits = configuration.forwarding.limits
        limits.targetGuard = configuration.targetGuard
        let forwarder = try CaptureForwarder(store: store, router: router, logger: logger, limits: limits)
        let replayer = CaptureReplayer(
            store: store, router: router, options: DeliveryOptions(targetGuard: configuration.targetGuard))
        defer { replayer.shutdown() }
        let signatures = CaptureSignatureCheck(router: router, store: store)
        let answers = EndpointAnswers(configuration.endpoints, defaultResponse: configuration.response)
        let rules = ResponseRuleCheck(answers: answers, store: store)
        let synchronous = configuration.forwarding.answersWithTargetsAnswer
        let writer = CaptureWriter(
            store: store,
            prepare: { signatures.annotate(&$0) },
            forwardQueue: { synchronous ? nil : forwarder.queueKey(for: $0) },
            ruleCandidates: { rules.candidates(for: $0) },
            committed: { captures in
                if !synchronous { forwarder.notifyQueued(captures) }
                hooks.committed(captures)
            })
        let listenerSettings = configuration.listener
        var relay: (@Sendable (Capture) async -> CaptureResponse?)?
        if synchronous {
            relay = { capture in await forwarder.answerWithTargetsAnswer(capture) }
        }
        var listenerConfiguration = CaptureListenerConfiguration(
            host: listenerSettings.host, port: listenerSettings.port,
            maxBodySize: listenerSettings.maxBodySize.bytes,
            maxHeadSize: Int(clamping: listenerSettings.maxHeadSize.bytes),
            headerTimeout: listenerSettings.headerTimeout, bodyTimeout: listenerSettings.bodyTimeout,
            idleTimeout: listenerSettings.idleTimeout,
            maxConnections: listenerSettings.maxConnections ?? budget.captureConnections,
            respond: { target, _ in answers.response(forPath: target.path) },
            relay: relay)
        listenerConfiguration.wording = configuration.wording
        listenerConfiguration.handshake = { request in
            SignatureScheme.handshakeResponse(
                to: request, policy: router.route(forPath: RequestTarget(request.target).path).policy)
        }
        let listener = CaptureListener(
            configuration: listenerConfiguration,
            store: store, writer: writer, shutdownGrace: listenerSettings.shutdownGrace, logger: logger)

        // The inspector's address is checked before the listener binds, so that nothing claims to be capturing
        // when serve cannot start.
        if let inspector = configuration.inspector {
            try InspectorExposure.check(host: inspector.host, token: inspector.token)
            try await Inspector.checkAddress(host: inspector.host, port: inspector.port)
        }
        var reloadSignals: UnixSignalsSequence?
        if configuration.reloadEndpoints != nil { reloadSignals = await UnixSignalsSequence(trapping: .sighup) }
        let readyFile = configuration.readyFile.map {
            ReadyFile(
                path: $0, captureHost: listenerSettings.host, inspectorHost: configuration.inspector?.host,
                storePath: store.path)
        }
        try readyFile?.checkWritable()
        defer { readyFile?.remove() }
        let address = try await listener.start()
        do {
            try readyFile?.captureListening(port: address.port ?? listenerSettings.port)
        } catch {
            await listener.stop()
            throw error
        }
        await hooks.listening(
            Running(
                capturePort: address.port ?? listenerSettings.port, storePath: store.path,
                endpoints: configuration.endpoints.endpoints))

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: listener),
            .init(service: RetentionService(store: store, policy: configuration.store.retention, logger: logger)),
        ]
        services += forwarder.services.map { .init(service: $0) }
        if let reload = configuration.reloadEndpoints, let reloadSignals {
            services.append(
                .init(
                    service: ConfigurationReloadService(
                        answers: answers, load: reload, logger: logger, signals: reloadSignals)))
        }
        if let inspector = configuration.inspector {
            services.append(
                .init(
                    service: Inspector(
                        configuration: InspectorConfiguration(
                            host: inspector.host, port: inspector.port, store: store, token: inspector.token,
                            allowedHosts: inspector.allowedHosts,
                            replay: { id, request in
                                try await replayer.replay(
                                    captureID: id, to: request.to, resign: request.resign,
                                    resignUnverified: request.resignUnverified, headers: request.headers)
                            },
                            onServerRunning: { port in
                                do {
                                    try readyFile?.inspectorListening(port: port)
                                } catch {
                                    logger.error("cannot write the ready file", metadata: ["error": "\(error)"])
                                }
                                await hooks.inspectorRunning(port)
                            }, maxConnections: budget.inspectorConnections,
                            logger: logger))))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        do {
            try await group.run()
        } catch {
            // The listener was bound: stop it so that its port and the store are released on failure too.
            await listener.stop()
            throw error
        }
    }
}
