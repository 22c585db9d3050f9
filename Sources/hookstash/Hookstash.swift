import ArgumentParser
import Foundation
import HookstashCore

@main
struct Hookstash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookstash",
        abstract: "A local inbox and relay for webhooks: capture every request raw, check its signature, replay it.",
        subcommands: [
            ServeCommand.self,
            ListCommand.self,
            ShowCommand.self,
            DiffCommand.self,
            TailCommand.self,
            VerifyCommand.self,
            SignCommand.self,
            ExportCommand.self,
            ReplayCommand.self,
            SendCommand.self,
            PullCommand.self,
            ExpectCommand.self,
            WaitReadyCommand.self,
        ]
    )

    /// Exit status: 0 on success, 1 on failure, 2 on bad usage (ArgumentParser's own default for usage is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as HookstashError {
            Terminal.error(error.message)
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            // Usage errors may quote what was given (a URL with a line break in it): through `Terminal` too.
            if !message.isEmpty { Terminal.status(message) }
            if error is ExitCode {
                Foundation.exit(code.rawValue)
            }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
