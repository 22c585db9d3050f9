/// A configuration file that cannot be used: where (line) and what is wrong, in a sentence.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case syntax
        case unknownKey
        case badValue
        case unreadable
    }

    private let code: Code
    /// The file as the user named it, when known.
    public var file: String?
    /// 1-based line of the problem; 0 when it is about the whole file.
    public let line: Int
    public let message: String
    /// Set when the problem is a configured response header the listener cannot send.
    public private(set) var responseHeaderProblem: ResponseHeaderLine.Problem?

    private init(_ code: Code, line: Int, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = [file, line > 0 ? "line \(line)" : nil].compactMap { $0 }.joined(separator: ", ")
        return place.isEmpty ? message : "\(place): \(message)"
    }

    /// The text is not TOML as hookstash reads it.
    static func syntax(line: Int, _ message: String) -> ConfigurationError { .init(.syntax, line: line, message) }
    /// A key or table hookstash does not know (a typo, or a setting of another version).
    static func unknownKey(line: Int, _ message: String) -> ConfigurationError {
        .init(.unknownKey, line: line, message)
    }
    /// A known key with a value that cannot be used.
    static func badValue(line: Int, _ message: String) -> ConfigurationError { .init(.badValue, line: line, message) }
    /// A response header that is not a one-line `Name: value` with a token name, or that the listener computes.
    static func badResponseHeader(line: Int, _ problem: ResponseHeaderLine.Problem) -> ConfigurationError {
        var error = ConfigurationError(.badValue, line: line, "\(problem)")
        error.responseHeaderProblem = problem
        return error
    }
    /// The file cannot be read, or is not UTF-8 text (raised where the file is read, outside this module).
    package static func unreadable(_ message: String) -> ConfigurationError { .init(.unreadable, line: 0, message) }

    public var isUnknownKey: Bool { code == .unknownKey }
    public var isSyntax: Bool { code == .syntax }
}
