import HookstashCore

/// The parts of a captured request a signature can cover.
public struct SignatureRequest: Sendable, Hashable {
    public var method: String
    /// The request-target exactly as sent (`/hook?x=1`, or absolute-form).
    public var target: String
    public var headers: HeaderList
    public var body: [UInt8]
    /// When the request arrived; timestamps in signed headers are compared with it.
    public var receivedAt: Timestamp

    public init(method: String, target: String, headers: HeaderList, body: [UInt8], receivedAt: Timestamp) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
    }
}
