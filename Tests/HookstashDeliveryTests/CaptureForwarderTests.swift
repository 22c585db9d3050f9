import Foundation
import HookstashCore
import HookstashServer
import HookstashSignatures
import HookstashStore
import HookstashTestSupport
import Logging
import Testing

@testable import HookstashDelivery

@Suite("Forwarding committed captures by route")
struct CaptureForwarderTests {
    @Test("captures committed by the writer reach the default target and an endpoint's own target")
    func routes() async throws {
        let store = try TestCaptures.temporaryStore()
        let main = try RecordingServer()
        defer { main.stop() }
        let github = try RecordingServer()
        defer { github.stop() }
        var configuration = ConfigurationFile()
        configuration.endpoints = [EndpointConfiguration(pathPrefix: "/github", forward: github.url + "/gh")]
        let router = EndpointRouter(
            configuration: configuration, defaultPolicy: SignaturePolicy(), defaultResponse: CaptureResponse(),
            defaultForward: main.url)
        let forwarder = try CaptureForwarder(
            store: store, router: router, logger: Logger(label: "test"), limits: .init(retryInitial: .milliseconds(50)))
        #expect(forwarder.services.count == 2)
        let writer = CaptureWriter(store: store, committed: { forwarder.enqueue($0) })
        let runs = forwarder.services.map { service in Task { try await service.queue.run() } }
        for index in 0..<5 {
            _ = try await writer.submit(
                TestCaptures.make(target: "/front/\(index)", headers: [("Content-Length", "0")], body: []))
        }
        _ = try await writer.submit(
            TestCaptures.make(target: "/github/push", headers: [("Content-Length", "1")], body: [0x41]))
        let mainReceived = await main.requests(atLeast: 5)
        let githubReceived = await github.requests(atLeast: 1)
        for run in runs { run.cancel() }
        for run in runs { try await run.value }
        #expect(mainReceived.map(\.requestLine) == (0..<5).map { "POST /front/\($0) HTTP/1.1" })
        #expect(githubReceived.map(\.requestLine) == ["POST /gh HTTP/1.1"])
        #expect(githubReceived.first?.body == [0x41])
    }

    @Test("an unusable forward URL is refused with a sentence")
    func badURL() throws {
        let store = try TestCaptures.temporaryStore()
        let router = EndpointRouter(
            defaultPolicy: SignaturePolicy(), defaultResponse: CaptureResponse(), defaultForward: "ftp://x")
        #expect(throws: HookstashError.self) {
            _ = try CaptureForwarder(store: store, router: router, logger: Logger(label: "test"))
        }
    }

    @Test("the inspector's replay re-signs with the route's configured secret and refuses what the user must fix")
    func inspectorReplay() async throws {
        let store = try TestCaptures.temporaryStore()
        let capture = try ResignTests.signedCapture(.stripe, signedAt: Timestamp.now().adding(seconds: -3600))
        let id = try store.insert([capture])[0]
        let server = try RecordingServer()
        defer { server.stop() }
        let configured = EndpointRouter(
            defaultPolicy: SignaturePolicy(scheme: .scheme(.stripe), secrets: [ResignTests.newSecret]),
            defaultResponse: CaptureResponse())
        let replayer = CaptureReplayer(store: store, router: configured)
        defer { replayer.shutdown() }
        let record = try await replayer.replay(
            captureID: id, to: server.url, resign: true, headers: [["X-Replayed-By", "inspector"]])
        #expect(record.delivery.status == 200)
        #expect(record.delivery.resigned)
        let received = try #require(await server.requests(atLeast: 1).first)
        #expect(ResignTests.verdict(received, scheme: .stripe, secret: ResignTests.newSecret).status == .valid)
        #expect(received.headerLines.last == "X-Replayed-By: inspector")

        let unconfigured = CaptureReplayer(
            store: store, router: EndpointRouter(defaultPolicy: SignaturePolicy(), defaultResponse: CaptureResponse()))
        defer { unconfigured.shutdown() }
        await #expect(throws: ResignProblem(.secretMissing, captureID: id, path: "/webhooks")) {
            _ = try await unconfigured.replay(captureID: id, to: server.url, resign: true)
        }
        await #expect(throws: HookstashError.self) {
            _ = try await unconfigured.replay(captureID: id, to: "ftp://x", resign: false)
        }
        let notFound = await #expect(throws: HookstashError.self) {
            _ = try await unconfigured.replay(captureID: 9999, to: server.url, resign: false)
        }
        #expect(notFound?.isNotFound == true)
    }
}
