/// What the capture listener answers (the default answer, an endpoint's from the configuration file, or a response
/// rule's), after the capture is committed.
public struct CaptureResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HeaderList
    public var body: [UInt8]
    /// How long to wait, after the capture is committed, before answering (to test sender timeouts).
    public var delay: Duration

    public init(status: Int = 200, headers: HeaderList = HeaderList(), body: [UInt8] = [], delay: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }
}
