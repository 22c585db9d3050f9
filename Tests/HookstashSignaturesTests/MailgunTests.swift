import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// Mailgun signs inside the JSON body: `signature.signature` = hex HMAC-SHA256(signing key, `signature.timestamp` +
/// `signature.token`) (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks).
/// The signature is computed here by Python's `hmac`.
@Suite struct MailgunTests {
    static let scheme = SignatureScheme.mailgun
    static let key = "key-mailgun-signing-secret"

    static func python(_ message: String, base64: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sys, hmac, hashlib, base64; m = hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), "
                + "hashlib.sha256).digest(); print(base64.b64encode(m).decode() if sys.argv[3] == 'b' else m.hex())",
            key, message, base64 ? "b" : "h",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return printed.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func request(token: String = "0f3c4b9e6a", signature: String? = nil, event: String = "delivered") throws
        -> SignatureRequest
    {
        let timestamp = "1767225600"
        let signed = try signature ?? python(timestamp + "0f3c4b9e6a")
        let body =
            #"{"signature":{"timestamp":"\#(timestamp)","token":"\#(token)","signature":"\#(signed)"},"#
            + #""event-data":{"event":"\#(event)","id":"CPgfbmQMTCKtHW6uIWtuVe"}}"#
        return SignatureRequest(
            method: "POST", target: "/mailgun", headers: HeaderList([("Content-Type", "application/json")]),
            body: Array(body.utf8), receivedAt: Timestamp(microsecondsSinceEpoch: 1_767_225_605_000_000))
    }

    static func verify(_ request: SignatureRequest) -> SignatureVerdict {
        SignatureVerifier.verify(request, policy: SignaturePolicy(scheme: .scheme(scheme), secrets: [key]))
    }

    @Test func signatureInTheBodyIsValidAndCoversTheToken() throws {
        let valid = Self.verify(try Self.request())
        #expect(valid.status == .valid, "\(valid.diagnosis)")
        #expect(valid.header == "signature.signature (JSON body)")
        // The signature covers the timestamp and the token, not the event (as Mailgun documents).
        #expect(Self.verify(try Self.request(event: "failed")).status == .valid)
        let otherToken = Self.verify(try Self.request(token: "0f3c4b9e6b"))
        #expect(otherToken.status == .invalid)
        #expect(otherToken.diagnosis.map(\.code) == [.nothingMatched])
        // `auto` cannot tell Mailgun from headers.
        #expect(
            SignatureVerifier.verify(try Self.request(), policy: SignaturePolicy(secrets: [Self.key])).status
                == .missing)
    }

    @Test func diagnosisNamesAnotherEncoding() throws {
        let verdict = Self.verify(
            try Self.request(signature: try Self.python("1767225600" + "0f3c4b9e6a", base64: true)))
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnosis.first { $0.code == .signatureWrittenDifferently }?.written?.encoding == "base64")
    }

    @Test func noHeaderCanBeSigned() {
        #expect(Self.scheme.signsInsideBody)
        #expect(throws: HookstashError.self) {
            try SignatureSigner.headers(scheme: Self.scheme, secret: Self.key, body: [], timestamp: .now())
        }
    }
}
