import Foundation
import HookstashCore
import Testing

@testable import HookstashStore

@Suite struct StoreLimitsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "hookstash-store-limits-\(UUID().uuidString)"
    ).path

    /// Past 2 GiB a value's length no longer fits SQLite's 32-bit binding: it is refused with an error (SQLite's
    /// own limit), and the store goes on, instead of the length conversion trapping the whole process.
    @Test func aValuePast2GiBIsRefusedWithAnErrorNotATrap() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CaptureStore(path: directory + "/s.sqlite")
        let count = Int(Int32.max) + 1
        // Reserved, never touched: SQLite checks the length before it reads a byte, so this costs no memory.
        let huge = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        var capture = Capture(
            receivedAt: .now(), remoteAddress: "127.0.0.1:1", method: "POST", target: RequestTarget("/big"),
            httpVersion: "HTTP/1.1", headers: HeaderList(), body: .inline(huge), bodySHA256: "",
            rawHead: Array("POST /big HTTP/1.1\r\n\r\n".utf8), responseStatus: 413)
        #expect(throws: (any Error).self) { try store.insert([capture]) }
        capture.body = .inline(Array("ok".utf8))
        #expect(try store.insert([capture]).count == 1)
    }
}
