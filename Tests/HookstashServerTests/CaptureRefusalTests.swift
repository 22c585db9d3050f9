import Foundation
import GRDB
import HookstashCore
import HookstashServer
import HookstashStore
import HookstashTestSupport
import Testing

/// Bad input gets a clear 4xx and loses nothing; a store that cannot write gets 503, never a 2xx.
@Suite struct CaptureRefusalTests {
    @Test(arguments: [
        "GET / HTTP/1.1\r\nBad Header : x\r\n\r\n",
        "GET / HTTP/1.1\nHost: bare-lf\n\n",
        "GET / HTTP/1.1\r\nX-Folded: a\r\n  continued\r\n\r\n",
        "\u{1}\u{2}junk that is not HTTP\r\n\r\n",
    ])
    func malformedRequestsAreAnswered400AndRecordedWithTheirBytes(request: String) async throws {
        try await withCaptureServer { server in
            let connection = try server.connect()
            try connection.send(request)
            let response = try connection.readResponse()
            #expect(response.status == 400)
            #expect(response.bodyText.contains("not valid HTTP"))
            #expect(try connection.isClosedByPeer())
            let capture = try #require(try server.latest(1).first)
            #expect(capture.malformed)
            #expect(capture.responseStatus == 400)
            #expect(try server.store.rawMessage(of: capture) == Array(request.utf8))
        }
    }

    @Test func announcedOversizedBodyIs413AndRecordedWithItsHead() async throws {
        try await withCaptureServer(configuring: { $0.maxBodySize = 1000 }) { server in
            let head = "POST /too-big HTTP/1.1\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"
            let response = try server.exchange(head)[0]
            #expect(response.status == 413)
            let capture = try #require(try server.latest(1).first)
            #expect(capture.announcedBodySize == 5000)
            #expect(capture.responseStatus == 413)
            #expect(capture.rawHead == Array(head.utf8))
            #expect(capture.problem == CaptureProblem(.bodyTooLarge, limit: 1000, announced: 5000))
            #expect(response.bodyText == "the body (5000 bytes announced) exceeds the body size limit (1000 bytes)\n")
        }
    }

    /// The answer's sentence names the limit as the listener's wording does (the command line passes its flags).
    @Test func refusalAnswerIsWordedByTheConfiguredWording() async throws {
        try await withCaptureServer(configuring: { config in
            config.maxBodySize = 1000
            config.wording = Wording { setting in
                if case .maxBodySize = setting { return "--max-body-size" }
                return "elsewhere"
            }
        }) { server in
            let response = try server.exchange("POST /too-big HTTP/1.1\r\nContent-Length: 5000\r\n\r\n")[0]
            #expect(response.status == 413)
            #expect(response.bodyText == "the body (5000 bytes announced) exceeds --max-body-size (1000 bytes)\n")
            let capture = try #require(try server.latest(1).first)
            #expect(capture.problem?.code == .bodyTooLarge)
        }
    }

    @Test func chunkedBodyGrowingPastTheLimitIs413() async throws {
        try await withCaptureServer(configuring: { $0.maxBodySize = 100 }) { server in
            let connection = try server.connect()
            try connection.send("POST /stream HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<3 {
                try? connection.send("40\r\n" + String(repeating: "x", count: 64) + "\r\n")
            }
            let response = try connection.readResponse()
            #expect(response.status == 413)
            let capture = try #require(try server.latest(1).first)
            #expect(capture.responseStatus == 413)
            #expect(capture.announcedBodySize == nil)
            #expect(capture.target.raw == "/stream")
        }
    }

    @Test func oversizedHeadIs431() async throws {
        try await withCaptureServer(configuring: { $0.maxHeadSize = 2048 }) { server in
            let connection = try server.connect()
            try connection.send("GET / HTTP/1.1\r\nX-Huge: " + String(repeating: "a", count: 4096) + "\r\n\r\n")
            #expect(try connection.readResponse().status == 431)
            let capture = try #require(try server.latest(1).first)
            #expect(capture.malformed)
            #expect(capture.responseStatus == 431)
            #expect(capture.rawHead.starts(with: Array("GET / HTTP/1.1\r\nX-Huge: aaa".utf8)))
        }
    }

    @Test func headThatNeverCompletesIsDroppedAfterTheTimeoutAndRecorded() async throws {
        try await withCaptureServer(configuring: { $0.headerTimeout = .milliseconds(300) }) { server in
            let slow = try server.connect()
            try slow.send("POST /slow HTTP/1.1\r\nX-Partial: yes\r\n")
            // A normal request on another connection is not held up by the slow one.
            let started = Date()
            #expect(try server.exchange("GET /fast HTTP/1.1\r\n\r\n")[0].status == 200)
            #expect(Date().timeIntervalSince(started) < 0.25)
            let response = try slow.readResponse()
            #expect(response.status == 408)
            #expect(try slow.isClosedByPeer())
            let partial = try #require(try server.latest(1).first)
            #expect(partial.malformed)
            #expect(partial.rawHead == Array("POST /slow HTTP/1.1\r\nX-Partial: yes\r\n".utf8))
            #expect(partial.problem == CaptureProblem(.headTimedOut, milliseconds: 300))
        }
    }

    @Test func requestCutOffByTheClientIsStillRecorded() async throws {
        try await withCaptureServer { server in
            do {
                let connection = try server.connect()
                try connection.send("POST /cut HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly-part")
                connection.finishSending()
                #expect(try connection.isClosedByPeer())
            }
            try await server.waitForCaptures(1)
            let capture = try #require(try server.latest(1).first)
            #expect(capture.malformed)
            #expect(capture.target.raw == "/cut")
            #expect(try server.store.bytes(of: capture.body) == Array("only-part".utf8))
            #expect(capture.problem?.code == .connectionClosed)
        }
    }

    @Test func storeThatCannotWriteAnswers503AndRecovers() async throws {
        try await withCaptureServer { server in
            // Another writer makes every insert fail, as a full disk or a corrupt file would.
            let saboteur = try DatabaseQueue(path: server.store.path)
            try await saboteur.write { db in
                try db.execute(
                    sql: "CREATE TRIGGER refuse BEFORE INSERT ON capture BEGIN SELECT RAISE(FAIL, 'disk is full'); END")
            }
            let refused = try server.exchange("POST /lost HTTP/1.1\r\nContent-Length: 1\r\n\r\nx")[0]
            #expect(refused.status == 503)
            #expect(refused.bodyText.contains("could not store"))
            #expect(try server.store.count() == 0)

            try await saboteur.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
            let accepted = try server.exchange("POST /kept HTTP/1.1\r\nContent-Length: 1\r\n\r\ny")[0]
            #expect(accepted.status == 200)
            #expect(try server.store.count() == 1)
        }
    }

    @Test func storeLockedByAnotherWriterAnswers503NotA2xx() async throws {
        try await withCaptureServer { server in
            let locker = try DatabaseQueue(path: server.store.path)
            let release = DispatchSemaphore(value: 0)
            let locked = DispatchSemaphore(value: 0)
            let holder = Thread {
                try? locker.inTransaction(.exclusive) { _ in
                    locked.signal()
                    release.wait()
                    return .commit
                }
            }
            holder.start()
            locked.wait()
            let response = try server.exchange("POST /locked HTTP/1.1\r\nContent-Length: 0\r\n\r\n")[0]
            release.signal()
            #expect(response.status == 503)
            #expect(try server.exchange("POST /free HTTP/1.1\r\nContent-Length: 0\r\n\r\n")[0].status == 200)
        }
    }

    @Test func gracefulStopAnswersInFlightRequestsAndCommitsThem() async throws {
        let server = try await TestCaptureServer.start { config in
            config.respond = { _, _ in CaptureResponse(delay: .milliseconds(1500)) }
        }
        let connection = try server.connect()
        try connection.send("POST /in-flight HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300))
        async let stopped: Void = server.listener.stop()
        let response = try connection.readResponse()
        await stopped
        #expect(response.status == 200)
        #expect(try connection.isClosedByPeer())
        #expect(try server.store.count() == 1)
        #expect(throws: (any Error).self) { try server.connect() }
    }
}
