import HookstashCore

extension Wording {
    /// Sentences as the command line says them: settings by their flags (and config keys where both exist).
    static let commandLine = Wording { setting in
        switch setting {
        case .publicURL: "--public-url (public_url in the config)"
        case .scheme(let name): "--scheme \(name)"
        case .maxBodySize: "--max-body-size"
        case .replayHeaders(.replayCommand): "--header"
        case .replayHeaders(.replayRequest): "replay request"
        case .resignScheme: "--scheme"
        case .signingSecret: "--secret (or a secret for the endpoint in the config)"
        }
    }
}
