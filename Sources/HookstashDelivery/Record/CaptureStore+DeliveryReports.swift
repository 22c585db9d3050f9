import HookstashCore
import HookstashStore

extension CaptureStore {
    /// The full record of one delivery (request as sent, response, timings); nil when there is no such
    /// delivery or it was recorded without detail.
    public func deliveryReport(id: Int64) throws -> DeliveryReport? {
        guard let json = try deliveryDetail(id: id) else { return nil }
        do {
            return try DeliveryReport.decode(json)
        } catch {
            throw HookstashError.storeUnavailable("the record of delivery \(id) in \(path) is not readable: \(error)")
        }
    }
}
