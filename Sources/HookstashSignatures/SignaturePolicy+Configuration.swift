import HookstashCore

extension SignaturePolicy {
    /// The policy for captures on `endpoint`: its scheme, secrets and public URL. The other endpoints' secrets are
    /// kept for the diagnosis ("matches the secret of endpoint /webhooks/github"); they never make a signature valid.
    public init(endpoint: EndpointConfiguration, in configuration: ConfigurationFile) {
        let others = configuration.endpoints.filter { $0.pathPrefix != endpoint.pathPrefix }.flatMap { other in
            other.secrets.filter { !endpoint.secrets.contains($0) }.map {
                OtherSecret(label: "endpoint \(other.name)", secret: $0)
            }
        }
        self.init(
            scheme: SignatureSchemeSelection(name: endpoint.scheme) ?? .auto, secrets: endpoint.secrets,
            publicURL: endpoint.publicURL, otherSecrets: others)
    }
}
