import Foundation
import HookstashCore
import HookstashTestSupport
import Testing

/// Response rules through a real `serve --config`: raw sockets on 127.0.0.1, the real store, the inspector's JSON.
@Suite struct ResponseRuleEndToEndTests {
    static let stripeSecret = "whsec_rules_test"

    static let configuration = """
        [[endpoint]]
        path = "/stripe"
        scheme = "stripe"
        secret = "\(stripeSecret)"

        [endpoint.response]
        status = 200
        body = "ok"

        [[endpoint.rule]]
        name = "flaky invoice handler"
        json = ["/type = invoice.*"]
        signature = "valid"
        fail_times = 2
        fail_key = "{{json./id}}"
        status = 500
        headers_out = ["Content-Type: application/json", "X-Capture: {{id}}"]
        body = '{"error":"try again","event":"{{json./id}}"}'

        [[endpoint]]
        path = "/challenge"

        [[endpoint.rule]]
        name = "echo"
        method = "POST"
        headers_out = ["Content-Type: application/json", "X-Mode: {{query.mode}}", "X-Challenge: {{json./challenge}}"]
        body = '{"challenge":"{{json./challenge}}"}'

        [[endpoint]]
        path = "/close"
        [[endpoint.rule]]
        name = "closer"
        action = "close"

        [[endpoint]]
        path = "/reset"
        [[endpoint.rule]]
        name = "resetter"
        action = "reset"

        [[endpoint]]
        path = "/hang"
        [[endpoint.rule]]
        name = "hanger"
        action = "hang"

        """

    /// A Stripe event signed as Stripe signs it (`t=…,v1=HMAC-SHA256(secret, "t.body")`).
    static func stripeRequest(id: String, type: String = "invoice.paid") throws -> [UInt8] {
        let body = Array(#"{"id":"\#(id)","type":"\#(type)","object":"event"}"#.utf8)
        let timestamp = Int(Date().timeIntervalSince1970)
        let mac = try HMAC.code(
            .sha256, key: Array(stripeSecret.utf8), message: Array("\(timestamp).".utf8) + body)
        let signature = mac.map { String(format: "%02x", $0) }.joined()
        let head =
            "POST /stripe/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Stripe-Signature: t=\(timestamp),v1=\(signature)\r\nContent-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func send(_ bytes: [UInt8], to port: Int) async throws -> RawResponse {
        let connection = try RawConnection(port: port)
        try connection.send(bytes)
        return try await connection.response()
    }

    static func captureJSON(_ id: String, inspector port: Int) async throws -> [String: Any] {
        let api = try RawConnection(port: port)
        try api.send("GET /api/captures/\(id) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        let response = try await api.response()
        #expect(response.status == 200)
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static func start(_ directory: TemporaryDirectory, toml: String = configuration) async throws -> ServeProcess {
        try toml.write(toFile: directory.file("rules.toml"), atomically: true, encoding: .utf8)
        return try await ServeProcess(
            database: directory.file("h.sqlite"), arguments: ["--config", directory.file("rules.toml"), "--quiet"])
    }

    @Test func aStripeStyleRetryFailsTwicePerEventThenGetsTheEndpointsAnswer() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await Self.start(directory)
        defer { serve.terminate() }
        let inspector = try #require(serve.inspectorPort)

        var ruleCaptureIDs: [String] = []
        for _ in 0..<2 {
            let response = try await Self.send(try Self.stripeRequest(id: "evt_1"), to: serve.port)
            #expect(response.status == 500)
            #expect(response.bodyText == #"{"error":"try again","event":"evt_1"}"#)
            ruleCaptureIDs.append(try #require(response.header("X-Capture")))
        }
        let third = try await Self.send(try Self.stripeRequest(id: "evt_1"), to: serve.port)
        #expect(third.status == 200)
        #expect(third.bodyText == "ok")
        #expect(third.header("X-Capture") == nil)
        // Another event id has a counter of its own.
        #expect(try await Self.send(try Self.stripeRequest(id: "evt_2"), to: serve.port).status == 500)
        #expect(try await Self.send(try Self.stripeRequest(id: "evt_2"), to: serve.port).status == 500)
        #expect(try await Self.send(try Self.stripeRequest(id: "evt_2"), to: serve.port).status == 200)
        // Not an invoice event: the rule does not match.
        #expect(
            try await Self.send(try Self.stripeRequest(id: "evt_3", type: "customer.created"), to: serve.port).status
                == 200)

        let byRule = try await Self.captureJSON(ruleCaptureIDs[0], inspector: inspector)
        #expect(byRule["answered_by"] as? String == "rule")
        #expect(byRule["rule"] as? String == "flaky invoice handler")
        #expect(byRule["response_status"] as? Int == 500)
        #expect((byRule["signature"] as? [String: Any])?["status"] as? String == "valid")
        let show = try await HookstashProcess.run(["show", ruleCaptureIDs[0], "--db", directory.file("h.sqlite")])
        #expect(show.stdoutText.contains("answered 500 by rule 'flaky invoice handler'"))
        // The inspector's page says who answered.
        let page = try RawConnection(port: inspector)
        try page.send("GET /captures/\(ruleCaptureIDs[0]) HTTP/1.1\r\nHost: 127.0.0.1:\(inspector)\r\n\r\n")
        let html = try await page.response()
        #expect(html.status == 200)
        #expect(html.bodyText.contains(#"by rule <q class="rule">flaky invoice handler</q>"#))
        let byEndpoint = try await Self.captureJSON(String(Int(ruleCaptureIDs[1])! + 1), inspector: inspector)
        #expect(byEndpoint["answered_by"] as? String == "configured")
        #expect(byEndpoint["rule"] is NSNull)
    }

    @Test func aTemplateEchoesTheChallengeAndRequestDataCannotAddAHeaderLine() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await Self.start(directory)
        defer { serve.terminate() }

        let echo = Array(#"{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#.utf8)
        let plain = try await Self.send(
            Array("POST /challenge HTTP/1.1\r\nContent-Length: \(echo.count)\r\n\r\n".utf8) + echo, to: serve.port)
        #expect(plain.status == 200)
        #expect(plain.bodyText == #"{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#)
        #expect(plain.header("Content-Type") == "application/json")

        // CR LF from a JSON escape and from a percent-encoded query parameter, aimed at the header templates.
        let hostile = Array(#"{"challenge":"a\u000d\u000aSet-Cookie: json=1\u0000"}"#.utf8)
        let connection = try RawConnection(port: serve.port)
        try connection.send(
            Array(
                ("POST /challenge?mode=x%0D%0ASet-Cookie:%20query=1 HTTP/1.1\r\nContent-Length: \(hostile.count)\r\n"
                    + "Connection: close\r\n\r\n").utf8) + hostile)
        let raw = try await connection.bytesUntilClose()
        let end = try #require(raw.firstRange(of: Array("\r\n\r\n".utf8)))
        let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.lowercased().hasPrefix("set-cookie") })
        #expect(lines.contains("X-Mode: xSet-Cookie: query=1"))
        #expect(lines.contains("X-Challenge: aSet-Cookie: json=1"))
        #expect(!head.utf8.contains(0))
        // The body is not a header: it carries the bytes as they were (raw CR LF inside the JSON string).
        #expect(Array(raw[end.upperBound...]) == Array("{\"challenge\":\"a\r\nSet-Cookie: json=1\0\"}".utf8))
    }

    @Test func closeResetAndHangAreSeenByARawClient() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await Self.start(directory)
        defer { serve.terminate() }
        let request = { (path: String) in "POST \(path) HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}" }

        let closed = try RawConnection(port: serve.port)
        try closed.send(request("/close"))
        #expect(try await offThePool { closed.nextArrival(timeout: 20) } == .endOfStream)
        #expect(closed.bufferedBytes.isEmpty)

        let reset = try RawConnection(port: serve.port)
        try reset.send(request("/reset"))
        #expect(try await offThePool { reset.nextArrival(timeout: 20) } == .reset)
        #expect(reset.bufferedBytes.isEmpty)

        let hung = try RawConnection(port: serve.port)
        // A request pipelined behind the hung one is stored but never answered.
        try hung.send(request("/hang") + request("/stripe/after-hang"))
        // Both are stored (polled through the store), and still nothing arrives: the connection stays open.
        let database = directory.file("h.sqlite")
        var stored: [String] = []
        for _ in 0..<200 where !stored.contains("/stripe/after-hang") {
            let list = try await HookstashProcess.run(["list", "--json", "--db", database])
            let captures =
                (try? JSONSerialization.jsonObject(with: list.stdout) as? [String: Any])?["captures"]
                as? [[String: Any]] ?? []
            stored = captures.compactMap { $0["target"] as? String }
            if !stored.contains("/stripe/after-hang") { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(stored.contains("/hang"))
        #expect(stored.contains("/stripe/after-hang"))
        #expect(try await offThePool { hung.nextArrival(timeout: 1) } == .nothing)
        #expect(hung.bufferedBytes.isEmpty)
    }

    @Test func sighupReloadsRulesAndRefusesAnInvalidFileKeepingTheOldRules() async throws {
        let directory = try TemporaryDirectory()
        let rule = { (status: Int) in
            "[[endpoint]]\npath = \"/reload\"\n\n[[endpoint.rule]]\nname = \"answer\"\nstatus = \(status)\n"
        }
        let serve = try await Self.start(directory, toml: rule(201))
        defer { serve.terminate() }
        let request = Array("POST /reload HTTP/1.1\r\nContent-Length: 0\r\n\r\n".utf8)
        #expect(try await Self.send(request, to: serve.port).status == 201)

        try rule(202).write(toFile: directory.file("rules.toml"), atomically: true, encoding: .utf8)
        serve.signal(SIGHUP)
        var status = 0
        for _ in 0..<200 where status != 202 {
            status = try await Self.send(request, to: serve.port).status
            if status != 202 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(status == 202)

        // Line 7 holds a key rules do not have.
        try (rule(203) + "bogus = 1\n").write(toFile: directory.file("rules.toml"), atomically: true, encoding: .utf8)
        serve.signal(SIGHUP)
        let log = directory.file("h.sqlite.serve.log")
        var logged = ""
        for _ in 0..<200 where !logged.contains("not reloaded") {
            logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if !logged.contains("not reloaded") { try await Task.sleep(for: .milliseconds(50)) }
        }
        let refusal = try #require(logged.split(separator: "\n").first { $0.contains("not reloaded") })
        #expect(refusal.contains("rules.toml, line 7: unknown key 'bogus'"))
        #expect(try await Self.send(request, to: serve.port).status == 202)
    }

    @Test func failTimesCountersSurviveARestart() async throws {
        let directory = try TemporaryDirectory()
        let toml = """
            [[endpoint]]
            path = "/flaky"

            [[endpoint.rule]]
            name = "fail twice"
            fail_times = 2
            status = 503

            """
        let request = Array("POST /flaky HTTP/1.1\r\nContent-Length: 0\r\n\r\n".utf8)
        let first = try await Self.start(directory, toml: toml)
        #expect(try await Self.send(request, to: first.port).status == 503)
        #expect(try await first.stop() == 0)

        let second = try await Self.start(directory, toml: toml)
        defer { second.terminate() }
        #expect(try await Self.send(request, to: second.port).status == 503)
        #expect(try await Self.send(request, to: second.port).status == 200)
        #expect(try await Self.send(request, to: second.port).status == 200)
    }
}
