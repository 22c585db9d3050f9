extension Wording {
    /// Why a response rule's template cannot be read.
    public func sentence(_ error: ResponseTemplate.SyntaxError) -> String {
        switch error.code {
        case .unclosed: return "the '{{' at byte \(error.offset) is not closed with '}}'"
        case .unknownField:
            return "'{{\(error.field)}}' is not a template field: use {{id}}, {{method}}, {{path}}, {{query.name}}, "
                + "{{header.Name}} or {{json./pointer}}"
        case .emptyName: return "'{{\(error.field)}}' names no parameter or header"
        case .badPointer:
            return "'{{\(error.field)}}' does not hold a JSON pointer: a pointer starts with / (/type, /data/id)"
        }
    }
}

extension ResponseTemplate.SyntaxError: CustomStringConvertible {
    public var description: String { Wording.standard.sentence(self) }
}
