import Foundation
import HookstashCore
import HookstashServe
import HookstashTestSupport
import Synchronization
import Testing

/// `ServeConfiguration.readyFile`: written once both listeners accept, with their bound ports, private, removed on
/// graceful shutdown; a place it cannot be written stops `serve` before anything listens.
@Suite struct ReadyFileTests {
    @Test func writtenWithTheBoundPortsAndRemovedOnShutdown() async throws {
        let directory = try TemporaryDirectory()
        var configuration = ServeApplicationTests.configuration(directory)
        configuration.readyFile = directory.file("ready.json")
        let running = try await ServeApplicationTests.start(configuration)
        let bytes = try #require(FileManager.default.contents(atPath: directory.file("ready.json")))
        let contents = try #require(ReadyFile.Contents(parsing: Array(bytes)))
        #expect(contents.captureURL == "http://127.0.0.1:\(running.capturePort)")
        #expect(contents.inspectorURL == "http://127.0.0.1:\(try #require(running.inspectorPort))")
        #expect(contents.store == directory.file("serve.sqlite"))
        #expect(contents.pid == getpid())
        let mode = try FileManager.default.attributesOfItem(atPath: directory.file("ready.json"))[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
        try await running.stop()
        #expect(!FileManager.default.fileExists(atPath: directory.file("ready.json")))
    }

    @Test func anUnwritablePlaceStopsServeBeforeItListens() async throws {
        let directory = try TemporaryDirectory()
        var configuration = ServeApplicationTests.configuration(directory)
        configuration.readyFile = directory.file("missing-directory/ready.json")
        let listened = Mutex(false)
        let application = ServeApplication(
            configuration: configuration, hooks: .init(listening: { _ in listened.withLock { $0 = true } }))
        await #expect(throws: HookstashError.self) { try await application.run() }
        #expect(!listened.withLock { $0 })
    }

    @Test func wildcardAddressesAreWrittenAsLoopback() {
        #expect(ReadyFile.url(host: "0.0.0.0", port: 8080) == "http://127.0.0.1:8080")
        #expect(ReadyFile.url(host: "::", port: 1) == "http://[::1]:1")
        #expect(ReadyFile.url(host: "::1", port: 2) == "http://[::1]:2")
        #expect(ReadyFile.url(host: "192.0.2.7", port: 3) == "http://192.0.2.7:3")
    }

    @Test func contentsReadBackWhatIsWritten() throws {
        let contents = ReadyFile.Contents(
            captureURL: "http://127.0.0.1:1", inspectorURL: nil, store: "/tmp/a \"b\".sqlite", pid: 42)
        #expect(ReadyFile.Contents(parsing: Array(contents.jsonText.utf8)) == contents)
        #expect(ReadyFile.Contents(parsing: Array("{}".utf8)) == nil)
    }
}
