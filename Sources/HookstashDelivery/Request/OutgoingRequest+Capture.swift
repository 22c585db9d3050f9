import HookstashCore
import HookstashStore

extension OutgoingRequest {
    /// Changes a request before it is sent (re-signing); runs once per capture.
    public typealias Transform = @Sendable (Capture, inout OutgoingRequest) throws -> Void

    /// The request that re-delivers `capture` to `target`: its body read from `store` (inline, or the body file it
    /// was spilled to), then `transform` applied. The one capture → request builder: replay, the inspector's
    /// replay, the forward queue and `pull` all build their requests here.
    public static func replaying(
        _ capture: Capture, from store: CaptureStore, to target: DeliveryTarget, settings: ReplaySettings,
        transform: Transform? = nil
    ) throws -> OutgoingRequest {
        let body = try store.bytes(of: capture.body)
        var request = try OutgoingRequest.replaying(capture, body: body, to: target, settings: settings)
        try transform?(capture, &request)
        return request
    }
}
