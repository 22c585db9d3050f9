/// The signature status a criterion asks for. `unchecked` also matches a capture no signature scheme looked at.
public enum SignatureStatusCriterion: String, Sendable, Hashable, CaseIterable {
    case valid
    case invalid
    case missing
    case unchecked

    public init(parsing text: String) throws(CriterionSyntaxError) {
        guard let value = SignatureStatusCriterion(rawValue: text) else {
            throw CriterionSyntaxError(.signatureUnknown, text: text)
        }
        self = value
    }

    /// Whether a subject with this status (nil: no scheme checked it) matches.
    public func matches(_ status: SignatureStatus?) -> Bool {
        switch self {
        case .valid: status == .valid
        case .invalid: status == .invalid
        case .missing: status == .missing
        case .unchecked: status == nil || status == .unchecked
        }
    }
}

extension SignatureVerdict {
    /// The name the match API uses for a verdict's status.
    public typealias Status = SignatureStatus
}
