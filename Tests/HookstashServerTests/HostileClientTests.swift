import Foundation
import HookstashCore
import HookstashServer
import HookstashStore
import HookstashTestSupport
import Testing

/// Idle and half-sent connections do not hold up normal senders, and are dropped on the timeouts.
@Suite struct HostileClientTests {
    @Test func idleAndHalfSentConnectionsDoNotBlockANormalRequest() async throws {
        try await withCaptureServer(configuring: { config in
            config.headerTimeout = .seconds(3)
            config.idleTimeout = .seconds(3)
        }) { server in
            var idle: [RawConnection] = []
            var halfSent: [RawConnection] = []
            for _ in 0..<1000 {
                idle.append(try server.connect())
                let partial = try server.connect()
                try partial.send("POST /slowloris HTTP/1.1\r\nContent-Le")
                halfSent.append(partial)
            }
            let started = Date()
            let response = try server.exchange("POST /normal HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")[0]
            let elapsed = Date().timeIntervalSince(started)
            #expect(response.status == 200)
            // Answered before the hostile connections' timeouts could free anything: it did not wait for them. (How
            // fast is the benchmarks' business: Benchmarks/hostile-latency.py.)
            #expect(elapsed < 3.0, "a normal request took \(elapsed) s beside 2,000 hostile connections")

            // After the timeouts, every hostile connection has been closed by the server.
            try await Task.sleep(for: .seconds(4))
            #expect(try idle.allSatisfy { try $0.isClosedByPeer() })
            let answers = try halfSent.map { try $0.readResponse().status }
            #expect(Set(answers) == [408])
            // The half-sent requests were recorded as far as they arrived.
            try await server.waitForCaptures(1001)
            #expect(try server.store.summaries(CaptureFilter(pathPrefix: "/slowloris"), limit: 2000).count == 1000)
        }
    }

    @Test func fullStoreAnswers503AndRecoversWhenSpaceIsFreed() async throws {
        try await withCaptureServer(storeMaxSize: 300 * 1024) { server in
            let body = String(repeating: "x", count: 20 * 1024)
            var statuses: [Int] = []
            for index in 0..<40 {
                let response = try server.exchange(
                    "POST /fill/\(index) HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")[0]
                statuses.append(response.status)
            }
            #expect(statuses.first == 200)
            #expect(statuses.last == 503)
            #expect(!statuses.contains { $0 != 200 && $0 != 503 })
            let stored = try server.store.count()
            #expect(stored == statuses.filter { $0 == 200 }.count, "every 200 is stored, no 503 is")

            // Retention frees pages; the server recovers without a restart.
            #expect(try server.store.prune(keepAtMost: 2, receivedBefore: nil) > 0)
            let after = try server.exchange("POST /again HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")[0]
            #expect(after.status == 200)
        }
    }
}
