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

extension SignatureRequest {
    /// The request a capture records, with its body bytes (loaded by the caller when they live in a file).
    public init(capture: Capture, body: [UInt8]) {
        self.init(
            method: capture.method, target: capture.target.raw, headers: capture.headers, body: body,
            receivedAt: capture.receivedAt)
    }
}
