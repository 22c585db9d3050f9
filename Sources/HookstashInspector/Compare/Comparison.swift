import Foundation
import HookstashCore
import HookstashSignatures
import HookstashStore

/// Diffs between stored things: two captures, two answers to deliveries, and a capture's body against the body
/// its sender signed. `hookstash diff` and the inspector's API and compare page use it.
public struct Comparison: Sendable {
    public let store: CaptureStore
    /// Bodies larger than this are not read back to compare.
    public var maxBodySize: Int64 = 32 << 20

    public init(store: CaptureStore) {
        self.store = store
    }

    /// Capture `old` against capture `new`: request line, headers, decoded body.
    public func captures(_ old: Int64, _ new: Int64) throws -> MessageDiff {
        let before = try store.requireCapture(id: old)
        let after = try store.requireCapture(id: new)
        return MessageDiff.compare(
            DiffableMessage(capture: before, body: try body(of: before)),
            DiffableMessage(capture: after, body: try body(of: after)))
    }

    /// The answer to delivery `old` against the answer to delivery `new`: status line, headers, body (as much as
    /// each record kept). Throws `HookstashError.notFound` for an unknown delivery, `invalidInput` for one that got
    /// no answer.
    public func deliveries(_ old: Int64, _ new: Int64) throws -> MessageDiff {
        MessageDiff.compare(try answer(of: old), try answer(of: new))
    }

    /// For each diagnosis finding of capture `id` that names a body the sender signed instead of the one received,
    /// the received body against that one.
    public func signedBodies(of id: Int64) throws -> [SignedBodyDiff] {
        let capture = try store.requireCapture(id: id)
        guard let verdict = capture.signature, !verdict.diagnosis.isEmpty else { return [] }
        let received = try body(of: capture)
        return verdict.diagnosis.compactMap { finding in
            guard let signed = SignedBodyVariant.body(for: finding.code, received: received) else { return nil }
            return SignedBodyDiff(
                finding: finding, receivedSize: received.count, signedSize: signed.count,
                difference: FirstDifference(received, signed), body: BodyDiff.compare(received, signed))
        }
    }

    private func body(of capture: Capture) throws -> [UInt8] {
        guard capture.body.size <= maxBodySize else {
            throw HookstashError.invalidInput(
                "capture \(capture.id)'s body (\(capture.body.size) bytes) is larger than the \(maxBodySize) bytes "
                    + "compared")
        }
        return try store.bytes(of: capture.body)
    }

    private func answer(of id: Int64) throws -> DiffableMessage {
        guard let detail = try store.deliveryDetail(id: id) else {
            throw HookstashError.notFound("no delivery with id \(id) in \(store.path)")
        }
        guard let report = try? JSONDecoder().decode(StoredReport.self, from: Data(detail.utf8)),
            let response = report.response
        else {
            throw HookstashError.invalidInput("delivery \(id) got no answer to compare")
        }
        return DiffableMessage(
            startLine: [.init("status", String(response.status)), .init("status_line", response.statusLine)],
            headers: response.headers, body: Base64.decode(response.bodyBase64) ?? [])
    }

    /// The part of a stored delivery record (`DeliveryReport`'s JSON, as the delivery engine writes it) a diff
    /// reads: the answer.
    private struct StoredReport: Decodable {
        struct Response: Decodable {
            var status: Int
            var statusLine: String
            var headers: HeaderList
            var bodyBase64: String

            enum CodingKeys: String, CodingKey {
                case status
                case statusLine = "status_line"
                case headers
                case bodyBase64 = "body_base64"
            }
        }

        var response: Response?
    }
}

/// A capture's received body against the body its sender signed, as one diagnosis finding describes it.
public struct SignedBodyDiff: Sendable, Hashable {
    public var finding: SignatureFinding
    public var receivedSize: Int
    public var signedSize: Int
    /// Where the received and signed bytes first differ, with context.
    public var difference: FirstDifference
    public var body: BodyDiff
}

extension SignedBodyDiff: Encodable {
    enum CodingKeys: String, CodingKey {
        case code, finding
        case receivedSize = "received_size"
        case signedSize = "signed_size"
        case difference, body
    }

    /// The finding as its code and its sentence (in the encoder's `Wording`, else the standard one).
    public func encode(to encoder: any Encoder) throws {
        let wording = encoder.userInfo[Wording.userInfoKey] as? Wording ?? .standard
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(finding.code.rawValue, forKey: .code)
        try container.encode(wording.sentence(finding), forKey: .finding)
        try container.encode(receivedSize, forKey: .receivedSize)
        try container.encode(signedSize, forKey: .signedSize)
        try container.encode(difference, forKey: .difference)
        try container.encode(body, forKey: .body)
    }
}
