import Foundation
import HTTPTypes
import HookstashCore
import HookstashStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

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
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? 0)
            },
            logger: configuration.logger)
    }
}
