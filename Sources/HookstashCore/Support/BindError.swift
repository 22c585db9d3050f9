/// A listener could not bind its address. The capture listener and the inspector throw it; the command line adds
/// which setting to change.
public struct BindError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which of `serve`'s listeners failed.
    public enum Listener: Sendable, Hashable {
        case capture
        case inspector
    }

    /// Why the address could not be bound.
    public enum Reason: Sendable, Hashable {
        /// Another socket listens there (EADDRINUSE).
        case addressInUse
        /// Anything else, as the system described it.
        case other(String)
    }

    public var listener: Listener
    public var host: String
    public var port: Int
    public var reason: Reason

    public init(listener: Listener, host: String, port: Int, reason: Reason) {
        self.listener = listener
        self.host = host
        self.port = port
        self.reason = reason
    }

    public var description: String {
        let role = listener == .inspector ? " for the inspector" : ""
        let why: String
        switch reason {
        case .addressInUse: why = "the address is in use (is another hookstash serve running?)"
        case .other(let text): why = text
        }
        return "cannot listen on \(host):\(port)\(role): \(why)"
    }
}
