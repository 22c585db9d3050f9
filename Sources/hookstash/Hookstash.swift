import ArgumentParser

@main
struct Hookstash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookstash", abstract: "A local inbox and relay for webhooks.",
        subcommands: [
            VerifyCommand.self,
            SignCommand.self,
            ReplayCommand.self,
            SendCommand.self,
        ])
}
