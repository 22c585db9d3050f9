import HookstashCore

/// One recorded delivery as JSON: the `deliveries` entry of the capture JSON plus the capture id and the detail.
/// What `replay --json` prints per line and what `POST /api/captures/{id}/replay` answers.
public struct DeliveryRecord: Encodable, Sendable {
    public var delivery: Delivery
    public var detail: DeliveryReport?

    public init(delivery: Delivery, detail: DeliveryReport?) {
        self.delivery = delivery
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case id
        case captureID = "capture_id"
        case to, at, status
        case durationMs = "duration_ms"
        case error, resigned, detail
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(delivery.id, forKey: .id)
        try container.encode(delivery.captureID, forKey: .captureID)
        try container.encode(delivery.to, forKey: .to)
        try container.encode(delivery.at, forKey: .at)
        try container.encode(delivery.status, forKey: .status)
        try container.encode(delivery.durationMs, forKey: .durationMs)
        try container.encode(delivery.error, forKey: .error)
        try container.encode(delivery.resigned, forKey: .resigned)
        try container.encodeIfPresent(detail, forKey: .detail)
    }
}

extension Replayer {
    /// Re-delivers one capture and records it (the inspector's `POST /api/captures/{id}/replay`): `to` as in
    /// `replay --to`, `headers` set as `--header` does (an empty value removes), re-signed by the resigner
    /// `resignWith` returns for the capture, when given. Throws `HookstashError.notFound` for an unknown id,
    /// `DeliveryError` when the capture or URL cannot be used, and a `DeliveryRefusal` when a guard refused it
    /// (`TargetRefusal`, before sending or at connect, and then nothing is recorded; `ResignRefusal`); a delivery
    /// that got no answer is returned, with its error, not thrown.
    public func replayOne(
        id: Int64, to url: String, headers: [(String, String)] = [],
        resignWith: (@Sendable (Capture) throws -> Resigner)? = nil, options: DeliveryOptions = DeliveryOptions(),
        source: String = "api"
    ) async throws -> DeliveryRecord {
        let target = try DeliveryTarget(parsing: url)
        if let refusal = options.checkTarget(host: target.host) { throw refusal }
        let settings = ReplaySettings(
            extraHeaders: headers.map { ($0.0, $0.1.isEmpty ? nil : $0.1) }, extraHeadersSource: .replayRequest)
        let capture = try store.requireCapture(id: id)
        let transform: Transform? = try resignWith.map { try $0(capture).transform }
        let request = try request(for: capture, to: target, settings: settings, transform: transform)
        let outcome = await workers.deliver(request, options: options)
        if let refusal = outcome.error?.targetRefusal { throw refusal }
        var delivery = Delivery(captureID: id, request: request, outcome: outcome)
        let report = DeliveryReport(source: source, request: request, outcome: outcome)
        delivery.id = try store.recordDelivery(delivery, detail: report.json())
        return DeliveryRecord(delivery: delivery, detail: report)
    }
}
