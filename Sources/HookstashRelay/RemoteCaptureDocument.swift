import HookstashCore

/// The capture JSON of `GET /api/captures/{id}` (see INTERFACE.md), read back.
struct RemoteCaptureDocument: Decodable {
    var id: Int64
    var receivedAt: Timestamp
    var remoteAddress: String
    var method: String
    var target: String
    var httpVersion: String
    var headers: HeaderList
    var bodySize: Int64
    var bodySHA256: String
    var bodyBase64: String?
    var malformed: Bool
    /// The problem's sentence, and the problem with its code (from a remote that sends codes).
    var problem: String?
    var problemDetail: KnownProblem?
    var announcedBodySize: Int64?
    var responseStatus: Int
    var signature: SignatureVerdict?
    /// Who answered the sender on the remote, as text: a value this version does not know is dropped, not refused.
    var answeredBy: String?
    var rule: String?

    enum CodingKeys: String, CodingKey {
        case id
        case receivedAt = "received_at"
        case remoteAddress = "remote_address"
        case method, target
        case httpVersion = "http_version"
        case headers
        case bodySize = "body_size"
        case bodySHA256 = "body_sha256"
        case bodyBase64 = "body_base64"
        case malformed, problem
        case problemDetail = "problem_detail"
        case announcedBodySize = "announced_body_size"
        case responseStatus = "response_status"
        case signature
        case answeredBy = "answered_by"
        case rule
    }

    /// The capture as the remote stored it, from this JSON and the exact bytes of `/raw` (the head as received
    /// followed by the body in its original framing).
    func capture(raw: [UInt8]) throws -> Capture {
        var body: [UInt8] = []
        if let bodyBase64 {
            guard let bytes = Base64.decode(bodyBase64) else {
                throw RelayError.unexpectedAnswer("capture \(id) has a body that is not base64")
            }
            body = bytes
        }
        guard body.count == bodySize else {
            throw RelayError.unexpectedAnswer("capture \(id) came without its \(bodySize)-byte body")
        }
        let (rawHead, rawBody) = Self.split(raw, body: body, malformed: malformed)
        var capture = Capture(
            receivedAt: receivedAt, remoteAddress: remoteAddress, method: method, target: RequestTarget(target),
            httpVersion: httpVersion, headers: headers, body: .inline(body), bodySHA256: bodySHA256,
            rawHead: rawHead, rawBody: rawBody.map { BodyBytes.inline($0) }, malformed: malformed,
            problem: problemDetail?.problem ?? problem.map(CaptureProblem.recorded),
            announcedBodySize: announcedBodySize, responseStatus: responseStatus, signature: signature)
        capture.answeredBy = answeredBy.flatMap(AnsweredBy.init(rawValue:))
        capture.rule = capture.answeredBy == .rule ? rule : nil
        return capture
    }

    /// A `problem_detail` this version reads; one with a code it does not know is kept by its sentence instead.
    struct KnownProblem: Decodable {
        var problem: CaptureProblem?

        init(from decoder: any Decoder) throws {
            problem = try? CaptureProblem(from: decoder)
        }
    }

    /// Splits the raw message into the head (through the blank line) and, when it differs from the decoded
    /// body, the body in its original framing.
    static func split(_ raw: [UInt8], body: [UInt8], malformed: Bool) -> (head: [UInt8], rawBody: [UInt8]?) {
        // The usual case: the body follows the head unchanged.
        if raw.count >= body.count, raw.suffix(body.count).elementsEqual(body) {
            let head = Array(raw.prefix(raw.count - body.count))
            if malformed || head.suffix(4).elementsEqual([0x0d, 0x0a, 0x0d, 0x0a]) || head.suffix(2) == [0x0a, 0x0a] {
                return (head, nil)
            }
        }
        guard !malformed, let end = headEnd(raw) else { return (raw, nil) }
        let rest = Array(raw[end...])
        return (Array(raw[..<end]), rest == body ? nil : rest)
    }

    /// The index just past the blank line that ends the head.
    private static func headEnd(_ raw: [UInt8]) -> Int? {
        var index = 0
        while index < raw.count {
            if raw[index] == 0x0a {
                if index + 1 < raw.count, raw[index + 1] == 0x0a { return index + 2 }
                if index + 2 < raw.count, raw[index + 1] == 0x0d, raw[index + 2] == 0x0a { return index + 3 }
            }
            index += 1
        }
        return nil
    }
}
