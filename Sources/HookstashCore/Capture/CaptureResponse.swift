/// What the capture listener answers (the default answer, or an endpoint's from the configuration file), after the
/// capture is committed.
public struct CaptureResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HeaderList
    public var body: [UInt8]
    /// Milliseconds to wait before answering (to test sender timeouts).
    public var delayMilliseconds: Int

    public init(status: Int = 200, headers: HeaderList = HeaderList(), body: [UInt8] = [], delayMilliseconds: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delayMilliseconds = delayMilliseconds
    }
}
