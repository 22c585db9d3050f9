/// Why a request cannot be re-signed at all (as opposed to `ResignRefusal`, a guard declining on purpose): nothing
/// names the scheme to sign with, or no secret is configured to sign with. `Wording` says it, naming the setting
/// that supplies what is missing.
public struct ResignProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The capture carries no signature header hookstash recognises and no scheme was named.
        case schemeUnknown = "resign_scheme_unknown"
        /// No secret is configured for the capture's route.
        case secretMissing = "resign_secret_missing"
    }

    public var code: Code
    public var captureID: Int64
    /// The capture's path (the route whose secret is missing).
    public var path: String?

    public init(_ code: Code, captureID: Int64, path: String? = nil) {
        self.code = code
        self.captureID = captureID
        self.path = path
    }

    public var description: String { Wording.standard.sentence(self) }
}
