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
        let selection =
            configuration.scheme(named: endpoint.scheme).map { .custom(CustomSignatureScheme($0)) }
            ?? SignatureSchemeSelection(name: endpoint.scheme) ?? .auto
        self.init(
            scheme: selection, secrets: endpoint.secrets,
            publicURL: endpoint.publicURL, otherSecrets: others, verifyToken: endpoint.verifyToken)
    }
}
