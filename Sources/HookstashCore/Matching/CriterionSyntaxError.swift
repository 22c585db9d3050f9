/// A match key (`--header`, `headers = […]`, …) whose text cannot be read; rendered by `Wording`.
public struct CriterionSyntaxError: Error, Sendable, Hashable {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// `Name: glob` without a colon.
        case headerMissingColon = "header_missing_colon"
        /// The header name is empty or not an HTTP token.
        case headerNameInvalid = "header_name_invalid"
        /// `name=glob` without `=`.
        case queryMissingEquals = "query_missing_equals"
        /// The query parameter name is empty.
        case queryNameEmpty = "query_name_empty"
        /// `/pointer = glob` without `=`.
        case jsonMissingEquals = "json_missing_equals"
        /// A non-empty JSON pointer that does not start with `/`.
        case jsonPointerNotAbsolute = "json_pointer_not_absolute"
        /// A `~` in a JSON pointer not followed by `0` or `1`.
        case jsonPointerBadEscape = "json_pointer_bad_escape"
        /// A method that is empty or not an HTTP token.
        case methodInvalid = "method_invalid"
        /// A signature status other than valid, invalid, missing, unchecked.
        case signatureUnknown = "signature_unknown"
    }

    public var code: Code
    /// The text as given.
    public var text: String

    public init(_ code: Code, text: String) {
        self.code = code
        self.text = text
    }
}

extension CriterionSyntaxError: CustomStringConvertible {
    public var description: String { Wording.standard.sentence(self) }
}
