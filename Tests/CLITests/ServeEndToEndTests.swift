import Foundation
import HookstashTestSupport
import Testing

/// A real `hookstash serve` process, real sockets, a real SQLite file; read back with `show` and `list`.
@Suite struct ServeEndToEndTests {
    struct Case {
        var name: String
        var bytes: [UInt8]
        var status: Int
        var method: String
        var target: String
        var path: String
        var version: String
        var body: [UInt8]
        var malformed = false
    }

    static func cases() -> [Case] {
        let binary: [UInt8] = [0x00, 0xff, 0x00, 0x10, 0x0d, 0x0a, 0x00]
        return [
            Case(
                name: "duplicate headers",
                bytes: Array("POST /dup HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\n\r\n{}".utf8), status: 200,
                method: "POST", target: "/dup", path: "/dup", version: "HTTP/1.1", body: Array("{}".utf8)),
            Case(
                name: "binary body",
                bytes: Array("PUT /bin HTTP/1.1\r\nContent-Length: 7\r\n\r\n".utf8) + binary, status: 200,
                method: "PUT",
                target: "/bin", path: "/bin", version: "HTTP/1.1", body: binary),
            Case(
                name: "chunked",
                bytes: Array(
                    "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b\r\nhi\r\n0\r\nT: x\r\n\r\n".utf8),
                status: 200, method: "POST", target: "/c", path: "/c", version: "HTTP/1.1", body: Array("hi".utf8)),
            Case(
                name: "absolute form and dot segments",
                bytes: Array("GET http://h.example/a/../%2F?q=1 HTTP/1.1\r\nHost: h.example\r\n\r\n".utf8), status: 200,
                method: "GET", target: "http://h.example/a/../%2F?q=1", path: "/a/../%2F", version: "HTTP/1.1", body: []
            ),
            Case(
                name: "unknown method",
                bytes: Array("SPLORK /s HTTP/1.1\r\nContent-Length: 0\r\n\r\n".utf8), status: 200, method: "SPLORK",
                target: "/s", path: "/s", version: "HTTP/1.1", body: []),
            Case(
                name: "HTTP/1.0", bytes: Array("GET /old HTTP/1.0\r\n\r\n".utf8), status: 200, method: "GET",
                target: "/old", path: "/old", version: "HTTP/1.0", body: []),
            Case(
                name: "malformed", bytes: Array("GET /m HTTP/1.1\r\nBad Header : 1\r\n\r\n".utf8), status: 400,
                method: "GET", target: "/m", path: "/m", version: "HTTP/1.1", body: [], malformed: true),
        ]
    }

    @Test func everyRequestIsStoredExactlyAndReadBackByShowAndList() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        let cases = Self.cases()
        for item in cases {
            let connection = try RawConnection(port: serve.port)
            try connection.send(item.bytes)
            #expect(try await connection.response().status == item.status, "\(item.name)")
        }
        let list = try await HookstashProcess.run(["list", "--db", database, "--json", "--limit", "100"])
        #expect(list.status == 0)
        let listed = try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any]
        let ids = (listed["captures"] as! [[String: Any]]).map { $0["id"] as! Int }.reversed()
        #expect(ids.count == cases.count)

        for (id, item) in zip(ids, cases) {
            let raw = try await HookstashProcess.run(["show", "\(id)", "--raw", "--db", database])
            #expect(raw.status == 0)
            #expect(Array(raw.stdout) == item.bytes, "raw bytes of \(item.name)")
            let body = try await HookstashProcess.run(["show", "\(id)", "--body", "--db", database])
            #expect(Array(body.stdout) == item.body, "body of \(item.name)")
            let show = try await HookstashProcess.run(["show", "\(id)", "--json", "--db", database])
            let json = try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any]
            #expect(json["method"] as? String == item.method, "\(item.name)")
            #expect(json["target"] as? String == item.target, "\(item.name)")
            #expect(json["path"] as? String == item.path, "\(item.name)")
            #expect(json["http_version"] as? String == item.version, "\(item.name)")
            #expect(json["malformed"] as? Bool == item.malformed, "\(item.name)")
            #expect(json["body_size"] as? Int == item.body.count, "\(item.name)")
            #expect(Data(base64Encoded: json["body_base64"] as? String ?? "x").map(Array.init) == item.body)
            #expect((json["received_at"] as? String)?.hasSuffix("Z") == true)
            #expect((json["remote_address"] as? String)?.hasPrefix("127.0.0.1:") == true)
        }
        let first = try await HookstashProcess.run(["show", "\(ids.first!)", "--json", "--db", database])
        let headers = (try JSONSerialization.jsonObject(with: first.stdout) as! [String: Any])["headers"] as! [[String]]
        #expect(headers == [["X-A", "1"], ["x-a", "2"], ["Content-Length", "2"]])

        let filtered = try await HookstashProcess.run(["list", "--db", database, "--json", "--method", "put"])
        let puts =
            (try JSONSerialization.jsonObject(with: filtered.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(puts.map { $0["target"] as! String } == ["/bin"])
        let byPath = try await HookstashProcess.run(["list", "--db", database, "--path", "/c"])
        #expect(byPath.stdoutText.contains("/c "))
        #expect(!byPath.stdoutText.contains("/dup"))
    }

    @Test func frontChallengeAndConfiguredAnswer() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(
            database: directory.file("h.sqlite"),
            arguments: ["--response-status", "202", "--response-header", "X-Test: yes", "--response-body", "ok"])
        defer { serve.terminate() }
        let plain = try RawConnection(port: serve.port)
        try plain.send("POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        let answer = try await plain.response()
        #expect(answer.status == 202)
        #expect(answer.header("X-Test") == "yes")
        #expect(answer.bodyText == "ok")
        let challenge = try RawConnection(port: serve.port)
        try challenge.send("POST /front HTTP/1.1\r\nX-Front-Challenge: 8c1e2a\r\nContent-Length: 0\r\n\r\n")
        let reply = try await challenge.response()
        #expect(reply.status == 200)
        #expect(reply.bodyText == #"{"challenge":"8c1e2a"}"#)
    }

    @Test func oversizedBodyIs413AndListed() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(
            database: directory.file("h.sqlite"), arguments: ["--max-body-size", "1KiB"])
        defer { serve.terminate() }
        let connection = try RawConnection(port: serve.port)
        try connection.send("POST /huge HTTP/1.1\r\nContent-Length: 4096\r\n\r\n")
        #expect(try await connection.response().status == 413)
        let show = try await HookstashProcess.run(["show", "1", "--json", "--db", directory.file("h.sqlite")])
        let json = try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any]
        #expect(json["announced_body_size"] as? Int == 4096)
        #expect(json["response_status"] as? Int == 413)
    }

    @Test func sigtermStopsCleanlyAndTailFollowsNewCaptures() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database)
        let tail = Process()
        tail.executableURL = HookstashProcess.executable
        tail.arguments = ["tail", "--json", "--last", "1", "--db", database]
        let output = Pipe()
        tail.standardOutput = output
        try tail.run()
        defer { if tail.isRunning { tail.terminate() } }
        try await Task.sleep(for: .milliseconds(500))
        let connection = try RawConnection(port: serve.port)
        try connection.send("POST /tailed HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        _ = try await connection.response()
        let line = try await output.fileHandleForReading.nextAvailableData()
        let json = try JSONSerialization.jsonObject(with: line) as! [String: Any]
        #expect(json["target"] as? String == "/tailed")
        #expect(try await serve.stop() == 0)
    }

    @Test func retentionKeepsTheNewestCaptures() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database, arguments: ["--retain", "3"])
        defer { serve.terminate() }
        for index in 0..<6 {
            let connection = try RawConnection(port: serve.port)
            try connection.send("POST /r/\(index) HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            _ = try await connection.response()
        }
        var targets: [String] = []
        for _ in 0..<100 {
            let list = try await HookstashProcess.run(["list", "--json", "--db", database])
            targets =
                ((try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]])
                .map { $0["target"] as! String }
            if targets.count == 3 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(targets == ["/r/5", "/r/4", "/r/3"])
    }
}
