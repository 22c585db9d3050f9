import Foundation
import HookstashCore
import HookstashSignatures
import HookstashTestSupport
import Testing

@testable import HookstashDelivery

@Suite("Re-signing replays and sending signed files")
struct ResignTests {
    static let oldSecret = "old-secret-123"
    static let newSecret = "whsec_bmV3LXNlY3JldC00NTY="

    /// A capture signed by the provider with `oldSecret` at `signedAt`, found valid when it was captured.
    static func signedCapture(_ scheme: SignatureScheme, signedAt: Timestamp) throws -> Capture {
        let body = Array(#"{"type":"message","id":"evt_1","text":"héllo"}"#.utf8)
        let signature = try SignatureSigner.headers(
            scheme: scheme, secret: oldSecret, body: body, timestamp: signedAt)
        var headers: [(String, String)] = [("Host", "abc.ngrok.app"), ("Content-Type", "application/json")]
        headers += signature.fields.map { ($0.name, $0.value) }
        headers.append(("Content-Length", "\(body.count)"))
        var capture = TestCaptures.make(target: "/webhooks", headers: headers, body: body, receivedAt: signedAt)
        capture.signature = SignatureVerdict(scheme: scheme.rawValue, status: .valid)
        return capture
    }

    /// The verdict for what the recorder received, checked against `secret`.
    static func verdict(
        _ received: RecordingServer.Request, scheme: SignatureScheme, secret: String
    ) -> SignatureVerdict {
        let headers = HeaderList(
            received.headerLines.map { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? parts[1].trimmingSpaces() : "")
            })
        let target = String(received.requestLine.split(separator: " ")[1])
        return SignatureVerifier.verify(
            SignatureRequest(method: "POST", target: target, headers: headers, body: received.body, receivedAt: .now()),
            policy: SignaturePolicy(scheme: .scheme(scheme), secrets: [secret]))
    }

    @Test(
        "a re-signed Front or Stripe replay verifies with the new secret and a fresh timestamp",
        arguments: [
            SignatureScheme.front, .stripe,
        ])
    func resigned(scheme: SignatureScheme) async throws {
        let hourAgo = Timestamp.now().adding(seconds: -3600)
        let capture = try Self.signedCapture(scheme, signedAt: hourAgo)
        let (result, received, _, store) = try await ReplayFidelityTests.replay(
            capture, transform: Resigner(secret: Self.newSecret).transform)
        #expect(Self.verdict(received, scheme: scheme, secret: Self.newSecret).status == .valid)
        #expect(Self.verdict(received, scheme: scheme, secret: Self.oldSecret).status == .invalid)
        #expect(result.delivery?.resigned == true)
        let report = try #require(try store.deliveryReport(id: result.delivery!.id))
        #expect(report.request.resigned)
        #expect(report.request.changes.contains { $0.contains("re-signed (\(scheme)") })
        // Only the signature headers changed, in place.
        let names = received.headerLines.map { String($0.prefix { $0 != ":" }) }
        #expect(names == ["Host"] + capture.headers.fields.map(\.name).filter { $0 != "Host" })
        if scheme == .stripe {
            let verdict = Self.verdict(received, scheme: .stripe, secret: Self.newSecret)
            #expect(verdict.warnings.isEmpty, "a fresh timestamp: \(verdict.warnings)")
        }
    }

    @Test(
        "a plain replay of a fresh capture still verifies with the old secret",
        arguments: [
            SignatureScheme.front, .stripe,
        ])
    func plain(scheme: SignatureScheme) async throws {
        let capture = try Self.signedCapture(scheme, signedAt: .now())
        let (result, received, _, _) = try await ReplayFidelityTests.replay(capture)
        #expect(Self.verdict(received, scheme: scheme, secret: Self.oldSecret).status == .valid)
        #expect(result.delivery?.resigned == false)
    }

    @Test("a capture without signature headers cannot be re-signed without a scheme")
    func noScheme() throws {
        let capture = TestCaptures.make(headers: [("Content-Length", "0")], body: [])
        #expect(throws: ResignProblem(.schemeUnknown, captureID: capture.id)) {
            try Resigner(secret: "x").scheme(for: capture)
        }
        #expect(try Resigner(scheme: .github, secret: "x").scheme(for: capture) == .github)
    }

    @Test("send signs a file as the provider would")
    func send() async throws {
        let server = try RecordingServer()
        defer { server.stop() }
        let body = Array(#"{"event":"ping"}"#.utf8)
        var request = OutgoingRequest.sending(body, to: try DeliveryTarget(parsing: server.url + "/hooks/stripe"))
        try Resigner(secret: Self.newSecret).sign(&request, scheme: .stripe)
        let workers = DeliveryEngine(maxTransfers: 1)
        defer { workers.shutdown() }
        let outcome = await workers.deliver(request, options: DeliveryOptions())
        #expect(outcome.response?.status == 200)
        let received = try #require(await server.requests(atLeast: 1).first)
        #expect(received.requestLine == "POST /hooks/stripe HTTP/1.1")
        #expect(received.body == body)
        #expect(received.headerLines.contains("Content-Type: application/json"))
        #expect(Self.verdict(received, scheme: .stripe, secret: Self.newSecret).status == .valid)
    }
}
