import Foundation
import HookstashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `serve --forward`: a durable queue; `--forward-sync`: the sender gets the target's answer; the inspector's
/// replay goes through the same engine.
@Suite struct ServeForwardingTests {
    @Test func capturesWaitForADownTargetAcrossARestartAndArriveOnceInOrder() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        // The target is "down" (drops every connection without an answer) until `up` is set.
        let up = LockedFlag()
        let accepted = LockedList()
        let recorder = try RecordingServer { request in
            guard up.isSet else { return .close }
            accepted.append(request.body)
            return .bytes(RecordingServer.response())
        }
        defer { recorder.stop() }
        // Enough attempts that no capture is given up however slowly this machine runs the first process.
        let arguments = [
            "--forward", recorder.url + "/hook", "--forward-retry-initial", "200ms", "--forward-retry-max", "500ms",
            "--forward-max-attempts", "10000",
        ]
        let first = try await ServeProcess(database: database, arguments: arguments)
        for index in 0..<10 {
            let connection = try RawConnection(port: first.port)
            try connection.send("POST /f/\(index) HTTP/1.1\r\nContent-Length: 1\r\n\r\n\(index)")
            #expect(try await connection.response().status == 200)
        }
        _ = await recorder.requests(atLeast: 10, seconds: 30)
        #expect(try await first.stop() == 0)

        // The target comes back; a new serve process resumes the queue from the store.
        up.set()
        let second = try await ServeProcess(database: database, arguments: arguments)
        defer { second.terminate() }
        for _ in 0..<300 where accepted.values.count < 10 {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(accepted.values == (0..<10).map { Array(String($0).utf8) }, "each capture once, in capture order")

        // The failed attempts are on record beside the successful one.
        let show = try await HookstashProcess.run(["show", "1", "--json", "--db", database])
        let deliveries =
            (try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any])["deliveries"] as! [[String: Any]]
        #expect(deliveries.count >= 2)
        #expect(deliveries.last?["status"] as? Int == 200)
        #expect(deliveries.dropLast().allSatisfy { $0["status"] is NSNull && $0["error"] is String })
    }

    @Test func forwardSyncAnswersTheSenderWithTheTargetsAnswer() async throws {
        let recorder = try RecordingServer { _ in
            .bytes(RecordingServer.response(201, reason: "Created", headers: [("X-From", "target")], body: "made"))
        }
        defer { recorder.stop() }
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(
            database: directory.file("h.sqlite"), arguments: ["--forward", recorder.url + "/in", "--forward-sync"])
        defer { serve.terminate() }
        let connection = try RawConnection(port: serve.port)
        try connection.send("POST /sync HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
        let answer = try await connection.response()
        #expect(answer.status == 201)
        #expect(answer.header("X-From") == "target")
        #expect(answer.bodyText == "made")
        #expect(recorder.requests.count == 1)

        // The capture says who answered and with what; with the target gone, the configured answer, said so.
        recorder.stop()
        let second = try RawConnection(port: serve.port)
        try second.send("POST /sync HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try await second.response().status == 200)
        for (id, status, answeredBy) in [(1, 201, "forward"), (2, 200, "configured")] {
            let show = try await HookstashProcess.run(["show", "\(id)", "--json", "--db", directory.file("h.sqlite")])
            let capture = try #require(try JSONSerialization.jsonObject(with: show.stdout) as? [String: Any])
            #expect(capture["answered_by"] as? String == answeredBy, "capture \(id)")
            #expect(capture["response_status"] as? Int == status, "capture \(id)")
        }
    }

    @Test func inspectorReplayDeliversThroughTheEngineAndRecordsIt() async throws {
        let recorder = try RecordingServer()
        defer { recorder.stop() }
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        let sent = "POST /orig?q=1 HTTP/1.1\r\nX-Dup: a\r\nx-dup: b\r\nContent-Length: 5\r\n\r\nhello"
        let capture = try RawConnection(port: serve.port)
        try capture.send(sent)
        _ = try await capture.response()

        let inspector = try #require(serve.inspectorPort)
        let body = #"{"to":"\#(recorder.url)"}"#
        let api = try RawConnection(port: inspector)
        try api.send(
            "POST /api/captures/1/replay HTTP/1.1\r\nHost: 127.0.0.1:\(inspector)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let response = try await api.response()
        #expect(response.status == 200)
        let record = try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
        #expect(record["status"] as? Int == 200)
        let request = try #require(recorder.requests.first)
        #expect(request.requestLine == "POST /orig?q=1 HTTP/1.1")
        #expect(request.headerLines.filter { $0.lowercased().hasPrefix("x-dup") } == ["X-Dup: a", "x-dup: b"])
        #expect(request.body == Array("hello".utf8))
        let list = try await HookstashProcess.run(["list", "--json", "--db", database])
        let summary =
            ((try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]])[0]
        #expect(summary["deliveries"] as? Int == 1)
    }
}
