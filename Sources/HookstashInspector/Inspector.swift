import Foundation
import HTTPTypes
import HookstashCore
import HookstashStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The inspector: HTML pages and the JSON API over a capture store, as a `Service` to run in `serve`'s
/// ServiceGroup (it stops on graceful shutdown, closing live event streams).
///
/// Call `InspectorExposure.check(host:token:)` before starting it on an address given by the user.
public struct Inspector: Service {
    public let configuration: InspectorConfiguration
    /// Embedded in every page and required from browsers on requests that change state.
    let csrfToken: String

    public init(configuration: InspectorConfiguration) {
        self.configuration = configuration
        var generator = SystemRandomNumberGenerator()
        csrfToken = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }

    public func run() async throws {
        try await makeApplication().run()
    }

    /// Throws `BindError` when the inspector's address cannot be bound (another `serve` has it), so that `serve`
    /// stops before it says it is capturing rather than after. Port 0 always binds.
    public static func checkAddress(host: String, port: Int) async throws {
        guard port != 0 else { return }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch {
            throw BindError(
                listener: .inspector, host: host, port: port,
                reason: (error as? IOError)?.errnoCode == EADDRINUSE ? .addressInUse : .other("\(error)"))
        }
    }

    func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(
            middleware: RequestGuard(
                hosts: HostAllowList(configured: configuration.allowedHosts, bindHost: configuration.host),
                token: configuration.token, csrfToken: csrfToken))
        let endpoints = InspectorEndpoints(configuration: configuration, csrfToken: csrfToken)
        endpoints.register(on: router)
        let onServerRunning = configuration.onServerRunning
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(
                    configuration.maxConnections, logger: configuration.logger)),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? 0)
            },
            logger: configuration.logger)
    }
}
