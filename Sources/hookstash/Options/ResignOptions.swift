import ArgumentParser
import HookstashDelivery
import HookstashSignatures

/// `--resign` with its secret and scheme, shared by `replay` and `pull`.
struct ResignOptions: ParsableArguments {
    @Flag(help: "Recompute the signature headers (fresh timestamp) with --secret.")
    var resign = false

    @OptionGroup var secrets: SecretOptions

    @Option(
        help: ArgumentHelp("With --resign: the scheme, when it cannot be told from the headers.", valueName: "name"))
    var scheme: String?

    @Flag(
        help: ArgumentHelp(
            "With --resign: also re-sign captures whose signature was not verified valid (by default they are not "
                + "sent: re-signing would vouch for a request the provider never signed)."))
    var resignUnverified = false

    func validate() throws {
        let secretCount = secrets.secret.count + secrets.secretEnv.count
        if secretCount > 0, !resign { throw ValidationError("--secret is used with --resign.") }
        if resign, secretCount != 1 { throw ValidationError("--resign needs one --secret (or --secret-env).") }
        if resignUnverified, !resign { throw ValidationError("--resign-unverified is used with --resign.") }
        if let scheme, SignatureScheme(rawValue: scheme.lowercased()) == nil {
            throw ValidationError(
                "Unknown scheme '\(scheme)'; expected one of "
                    + SignatureScheme.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
    }

    /// The request transform that re-signs, or nil without --resign. `verified`: what a capture must pass to be
    /// re-signed without --resign-unverified.
    func transform(requiring verified: Resigner.Requirement = .storedVerdictValid) throws -> Replayer.Transform? {
        guard resign else { return nil }
        return Resigner(
            scheme: scheme.flatMap { SignatureScheme(rawValue: $0.lowercased()) }, secret: try secrets.resolved()[0],
            requirement: resignUnverified ? .none : verified
        ).transform
    }
}
