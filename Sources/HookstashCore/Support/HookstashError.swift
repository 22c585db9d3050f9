/// An error a user can act on: what went wrong, in one sentence.
///
/// A struct over a private code so that kinds can be added without breaking callers.
public struct HookstashError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case notFound
        case storeUnavailable
        case invalidInput
        case io
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Something the user named does not exist (a capture id, a store file).
    public static func notFound(_ message: String) -> HookstashError { .init(.notFound, message) }
    /// The store cannot be opened, read or written.
    public static func storeUnavailable(_ message: String) -> HookstashError { .init(.storeUnavailable, message) }
    /// Input the user gave is not acceptable (bad flag value, malformed config).
    public static func invalidInput(_ message: String) -> HookstashError { .init(.invalidInput, message) }
    /// A file or socket operation failed.
    public static func io(_ message: String) -> HookstashError { .init(.io, message) }

    public var isNotFound: Bool { code == .notFound }
    public var isStoreUnavailable: Bool { code == .storeUnavailable }
}
