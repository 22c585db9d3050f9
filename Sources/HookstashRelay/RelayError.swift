/// Why `pull` stopped or could not go on, in a sentence a user understands.
public struct RelayError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case invalidRemote
        case refused
        case unauthorized
        case unreachable
        case unexpectedAnswer
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The remote URL cannot be used at all.
    public static func invalidRemote(_ message: String) -> RelayError { .init(.invalidRemote, message) }
    /// The remote answered, but will not let us in (401, 403, 404): retrying will not help.
    public static func refused(_ message: String) -> RelayError { .init(.refused, message) }
    /// The remote refused our token, or wants one (401, 403): retrying without the right token will not help.
    public static func unauthorized(_ message: String) -> RelayError { .init(.unauthorized, message) }
    /// No answer from the remote; worth trying again later.
    public static func unreachable(_ message: String) -> RelayError { .init(.unreachable, message) }
    /// The remote answered something that is not the inspector API.
    public static func unexpectedAnswer(_ message: String) -> RelayError { .init(.unexpectedAnswer, message) }

    /// True when trying again later cannot help.
    public var isFatal: Bool { code == .invalidRemote || code == .refused || code == .unauthorized }

    /// True when the remote inspector wants a (different) token.
    public var needsToken: Bool { code == .unauthorized }
}
