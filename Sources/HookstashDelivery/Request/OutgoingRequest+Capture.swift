import HookstashCore
import HookstashStore

extension OutgoingRequest {
    /// Changes a request before it is sent (re-signing); runs once per capture.
    public typealias Transform = @Sendable (Capture, inout OutgoingRequest) throws -> Void

    /// The request that re-delivers `capture` to `target`: its body read from `store` (inline, or the body file it
    /// was spilled to), the settings' edits, then `transform` applied. The one capture → request builder: replay, the inspector's
    /// replay, the forward queue and `pull` all build their requests here.
    public static func replaying(
        _ capture: Capture, from store: CaptureStore, to target: DeliveryTarget, settings: ReplaySettings,
        transform: Transform? = nil
    ) throws -> OutgoingRequest {
        let body = try store.bytes(of: capture.body)
        guard !settings.edits.isEmpty else {
            var request = try OutgoingRequest.replaying(capture, body: body, to: target, settings: settings)
            try transform?(capture, &request)
            return request
        }
        // Edits come first, so Content-Length follows the edited body and re-signing signs it.
        let (edited, editedBody, edits) = try settings.edits.apply(to: capture, body: body)
        var request = try OutgoingRequest.replaying(edited, body: editedBody, to: target, settings: settings)
        request.changes = edits + request.changes
        try transform?(capture, &request)
        return request
    }
}
