import HookstashCore
import HookstashServer
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the configuration file on each SIGHUP. A valid file replaces every endpoint's answer and response
/// rules at once (from the next request on); an invalid one is logged with its file:line error and changes
/// nothing. Listeners, ports, the store, signature schemes, secrets and forward targets stay as started.
struct ConfigurationReloadService: Service {
    let answers: EndpointAnswers
    let load: @Sendable () throws(ConfigurationError) -> ConfigurationFile
    let logger: Logger
    /// Trapping SIGHUP from before the listener accepts: a SIGHUP sent once serve is up never kills it.
    let signals: UnixSignalsSequence

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    func reload() {
        do {
            let file = try load()
            answers.replace(with: file)
            logger.info(
                "configuration reloaded",
                metadata: ["rules": "\(file.endpoints.reduce(0) { $0 + $1.rules.count })"])
        } catch {
            logger.error(
                "configuration not reloaded; the running answers and rules stay", metadata: ["error": "\(error)"])
        }
    }
}
