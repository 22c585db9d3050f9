import Foundation
import HookstashCore
import HookstashInspector
import HookstashStore
import Testing

@Suite struct InspectorAPITests {
    @Test func listPagesNewestFirstWithACursor() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert((1...7).map { SampleCapture.make(target: "/hook/\($0)") })
        }
        var seen: [Int] = []
        var target = "/api/captures?limit=3"
        var pages = 0
        while true {
            let response = try await harness.get(target)
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let document = try response.json()
            let captures = try #require(document["captures"] as? [[String: Any]])
            seen += captures.compactMap { $0["id"] as? Int }
            pages += 1
            guard let next = document["next"] as? String else {
                #expect(document["next"] is NSNull)
                break
            }
            target = "/api/captures?limit=3&before=\(next)"
        }
        #expect(seen == [7, 6, 5, 4, 3, 2, 1])
        #expect(pages == 3)
        try await harness.stop()
    }

    @Test func eachFilterSelectsItsCaptures() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([
                SampleCapture.make(
                    method: "POST", target: "/webhooks/front", signature: .init(scheme: "front", status: .valid)),
                SampleCapture.make(
                    method: "PUT", target: "/webhooks/github", signature: .init(scheme: "github", status: .invalid)),
                SampleCapture.make(
                    method: "POST", target: "/other",
                    headers: [("Host", "localhost:8080"), ("X-Trace", "needle-in-header")],
                    body: Array("plain".utf8)),
                SampleCapture.make(method: "GET", target: "/other?x=1", body: Array("has a Body-Needle inside".utf8)),
            ])
        }
        func ids(_ query: String) async throws -> [Int] {
            let document = try await harness.get("/api/captures?\(query)").json()
            return (document["captures"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        }
        #expect(try await ids("method=post") == [3, 1])
        #expect(try await ids("path=/webhooks") == [2, 1])
        #expect(try await ids("signature=invalid") == [2])
        #expect(try await ids("signature=unchecked") == [4, 3])
        #expect(try await ids("q=needle-in-header") == [3])
        #expect(try await ids("q=body-needle") == [4])
        #expect(try await ids("q=%25") == [])
        #expect(try await ids("method=POST&path=/webhooks") == [1])
        let bad = try await harness.get("/api/captures?signature=maybe")
        #expect(bad.status == 400)
        #expect((try bad.json()["error"] as? String)?.contains("valid, invalid") == true)
        try await harness.stop()
    }

    @Test func detailHasTheCaptureFields() async throws {
        let verdict = SignatureVerdict(
            scheme: "front", status: .invalid, header: "X-Front-Signature", received: "abc", expected: "def",
            diagnosis: [SignatureFinding(.bodyTrailingNewlineAdded)])
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([
                SampleCapture.make(
                    target: "/webhooks/front?x=1",
                    headers: [
                        ("Host", "localhost:8080"), ("X-B", "2"), ("Content-Type", "application/json"), ("X-A", "1"),
                    ],
                    signature: verdict)
            ])
        }
        let response = try await harness.get("/api/captures/1")
        #expect(response.status == 200)
        let document = try response.json()
        #expect(document["id"] as? Int == 1)
        #expect(document["method"] as? String == "POST")
        #expect(document["target"] as? String == "/webhooks/front?x=1")
        #expect(document["path"] as? String == "/webhooks/front")
        #expect(document["query"] as? String == "x=1")
        let headers = try #require(document["headers"] as? [[String]])
        #expect(headers.map { $0[0] } == ["Host", "X-B", "Content-Type", "X-A", "Content-Length"])
        #expect(document["body_text"] as? String == #"{"type":"message","id":1}"#)
        #expect(document["body_base64"] as? String == Base64.encode(Array(#"{"type":"message","id":1}"#.utf8)))
        let signature = try #require(document["signature"] as? [String: Any])
        #expect(signature["status"] as? String == "invalid")
        #expect((signature["diagnosis"] as? [String])?.first?.contains("trailing newline") == true)
        let finding = try #require((signature["diagnosis_findings"] as? [[String: Any]])?.first)
        #expect(finding["code"] as? String == "body_trailing_newline_added")
        #expect(finding["message"] as? String == (signature["diagnosis"] as? [String])?.first)
        #expect((document["received_at"] as? String)?.hasSuffix("Z") == true)

        let missing = try await harness.get("/api/captures/99")
        #expect(missing.status == 404)
        #expect((try missing.json()["error"] as? String)?.contains("99") == true)
        try await harness.stop()
    }

    @Test func rawAndBodyAreTheExactBytesAsAttachments() async throws {
        let body: [UInt8] = [0, 1, 2, 0xff, 0xfe] + Array("\r\n<html>".utf8)
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([
                SampleCapture.make(
                    headers: [("Host", "localhost:8080"), ("Content-Type", "text/html")], body: body)
            ])
        }
        let capture = try harness.store.requireCapture(id: 1)
        let raw = try await harness.get("/api/captures/1/raw")
        #expect(raw.status == 200)
        #expect(raw.body == (try harness.store.rawMessage(of: capture)))
        #expect(raw.header("Content-Type") == "application/octet-stream")
        #expect(raw.header("Content-Disposition")?.hasPrefix("attachment") == true)

        let bodyResponse = try await harness.get("/api/captures/1/body")
        #expect(bodyResponse.body == body)
        // Served as bytes whatever the sender declared, as an attachment, sandboxed and never sniffed: it neither
        // renders nor runs. The captured type is given beside it.
        #expect(bodyResponse.header("Content-Type") == "application/octet-stream")
        #expect(bodyResponse.header("X-Hookstash-Content-Type") == "text/html")
        #expect(bodyResponse.header("Content-Disposition")?.hasPrefix("attachment") == true)
        #expect(bodyResponse.header("X-Content-Type-Options") == "nosniff")
        #expect(bodyResponse.header("Content-Security-Policy")?.contains("sandbox") == true)
        try await harness.stop()
    }

    @Test func harIsAValidHAR12Document() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([
                SampleCapture.make(
                    target: "/webhooks/front?a=1&b=two%20words",
                    headers: [
                        ("Host", "hooks.localhost:8080"), ("Content-Type", "application/json"), ("Cookie", "s=1; t=2"),
                    ]),
                SampleCapture.make(headers: [("Host", "localhost:8080")], body: [0, 159, 146, 150]),
            ])
        }
        let response = try await harness.get("/api/captures/1/har")
        #expect(response.status == 200)
        #expect(response.header("Content-Disposition")?.contains(".har") == true)
        let log = try #require(try response.json()["log"] as? [String: Any])
        #expect(log["version"] as? String == "1.2")
        let creator = try #require(log["creator"] as? [String: Any])
        #expect(creator["name"] is String && creator["version"] is String)
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.count == 1)
        let entry = entries[0]
        for key in ["startedDateTime", "time", "request", "response", "cache", "timings"] {
            #expect(entry[key] != nil, "entry needs \(key)")
        }
        let request = try #require(entry["request"] as? [String: Any])
        for key in ["method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"] {
            #expect(request[key] != nil, "request needs \(key)")
        }
        #expect(request["url"] as? String == "http://hooks.localhost:8080/webhooks/front?a=1&b=two%20words")
        let query = try #require(request["queryString"] as? [[String: String]])
        #expect(query == [["name": "a", "value": "1"], ["name": "b", "value": "two words"]])
        let cookies = try #require(request["cookies"] as? [[String: String]])
        #expect(cookies.map { $0["name"] } == ["s", "t"])
        let postData = try #require(request["postData"] as? [String: Any])
        #expect(postData["mimeType"] as? String == "application/json")
        #expect(postData["text"] as? String == #"{"type":"message","id":1}"#)
        #expect(postData["encoding"] == nil)
        let harResponse = try #require(entry["response"] as? [String: Any])
        for key in [
            "status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize",
            "bodySize",
        ] {
            #expect(harResponse[key] != nil, "response needs \(key)")
        }
        let timings = try #require(entry["timings"] as? [String: Any])
        #expect(timings["send"] != nil && timings["wait"] != nil && timings["receive"] != nil)
        #expect(Timestamp(rfc3339: entry["startedDateTime"] as? String ?? "") != nil)

        let binary = try await harness.get("/api/captures/2/har").json()
        let binaryPost =
            ((((binary["log"] as? [String: Any])?["entries"] as? [[String: Any]])?.first?["request"]
                as? [String: Any])?["postData"] as? [String: Any])
        #expect(binaryPost?["encoding"] as? String == "base64")
        #expect(binaryPost?["text"] as? String == Base64.encode([0, 159, 146, 150] as [UInt8]))
        try await harness.stop()
    }

    @Test func deleteRemovesTheCapture() async throws {
        let harness = try await InspectorHarness.start { store in _ = try store.insert([SampleCapture.make()]) }
        let response = try await harness.request("DELETE", "/api/captures/1")
        #expect(response.status == 204)
        #expect(try harness.store.capture(id: 1) == nil)
        #expect(try await harness.request("DELETE", "/api/captures/1").status == 404)
        try await harness.stop()
    }

    @Test func replayWithoutAHookAnswers501() async throws {
        let harness = try await InspectorHarness.start { store in _ = try store.insert([SampleCapture.make()]) }
        let response = try await harness.request(
            "POST", "/api/captures/1/replay", headers: [("Content-Type", "application/json")],
            body: Array(#"{"to":"http://127.0.0.1:9/hook"}"#.utf8))
        #expect(response.status == 501)
        #expect((try response.json()["error"] as? String)?.contains("hookstash replay") == true)
        try await harness.stop()
    }

    @Test func replayCallsTheHookAndReturnsTheDelivery() async throws {
        let harness = try await InspectorHarness.start(
            replay: { id, request in
                #expect(request.resign)
                #expect(request.headers == [["X-Test", "1"]])
                return DeliveryDocument(
                    Delivery(
                        id: 5, captureID: id, to: request.to, at: .now(), status: 202, durationMs: 1.5, error: nil,
                        resigned: request.resign))
            },
            seed: { store in _ = try store.insert([SampleCapture.make()]) })
        let response = try await harness.request(
            "POST", "/api/captures/1/replay", headers: [("Content-Type", "application/json")],
            body: Array(#"{"to":"http://127.0.0.1:3000/hook","resign":true,"headers":[["X-Test","1"]]}"#.utf8))
        #expect(response.status == 200)
        let document = try response.json()
        #expect(document["status"] as? Int == 202)
        #expect(document["to"] as? String == "http://127.0.0.1:3000/hook")
        #expect(document["resigned"] as? Bool == true)

        let badTarget = try await harness.request(
            "POST", "/api/captures/1/replay", headers: [("Content-Type", "application/json")],
            body: Array(#"{"to":"file:///etc/passwd"}"#.utf8))
        #expect(badTarget.status == 400)
        let notJSON = try await harness.request("POST", "/api/captures/1/replay", body: Array("to=x".utf8))
        #expect(notJSON.status == 400)
        try await harness.stop()
    }

    @Test func replayFormCallsTheHookAndReturnsToTheCapture() async throws {
        let harness = try await InspectorHarness.start(
            replay: { id, request in
                #expect(id == 1)
                #expect(request.to == "http://localhost:3000/hook")
                #expect(request.resign)
                return DeliveryDocument(
                    Delivery(
                        id: 1, captureID: id, to: request.to, at: .now(), status: 200, durationMs: 1, error: nil,
                        resigned: true))
            },
            seed: { store in _ = try store.insert([SampleCapture.make()]) })
        let page = try await harness.get("/captures/1")
        #expect(page.text.contains(#"action="/captures/1/replay""#))
        let csrf = try #require(InspectorSecurityTests.hiddenCSRF(in: page.text))
        let origin = ("Origin", "http://127.0.0.1:\(harness.port)")
        let form = ("Content-Type", "application/x-www-form-urlencoded")
        let submitted = try await harness.request(
            "POST", "/captures/1/replay", headers: [form, origin],
            body: Array("csrf_token=\(csrf)&to=http%3A%2F%2Flocalhost%3A3000%2Fhook&resign=on".utf8))
        #expect(submitted.status == 303)
        #expect(submitted.header("Location") == "/captures/1#deliveries")
        let badTarget = try await harness.request(
            "POST", "/captures/1/replay", headers: [form, origin], body: Array("csrf_token=\(csrf)&to=".utf8))
        #expect(badTarget.status == 400)
        #expect(badTarget.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(badTarget.text.contains("http:// or https://"))
        try await harness.stop()
    }

    static var staleTimestamp: SignatureFinding {
        var finding = SignatureFinding(.timestampOutsideTolerance)
        finding.skewSeconds = 41 * 60
        return finding
    }

    @Test func detailPageShowsDeliveriesWithTheirChangesAndSignature() async throws {
        let harness = try await InspectorHarness.start { store in
            let verdict = SignatureVerdict(
                scheme: "front", status: .invalid, header: "X-Front-Signature", received: "abc", expected: "def",
                diagnosis: [SignatureFinding(.bodyTrailingNewlineAdded)], warnings: [Self.staleTimestamp])
            _ = try store.insert([SampleCapture.make(signature: verdict)])
            let detail = #"""
                {"source":"api","request":{"method":"POST","url":"http://localhost:3000/hook","target":"/hook",
                "head":"POST /hook HTTP/1.1","body_size":26,"changes":["Host set to <localhost:3000>"],"resigned":false},
                "response":{"status":502,"status_line":"HTTP/1.1 502 Bad Gateway","headers":[],"interim_statuses":[],
                "body_base64":"","body_size":0,"truncated":false},
                "timings":{"connect_ms":0.5,"first_byte_ms":2.25,"total_ms":3.0}}
                """#
            try store.recordDelivery(
                Delivery(
                    captureID: 1, to: "http://localhost:3000/hook", at: .now(), status: 502, durationMs: 3, error: nil,
                    resigned: false), detail: detail)
        }
        let page = try await harness.get("/captures/1").text
        #expect(page.contains("Host set to &lt;localhost:3000&gt;"))
        #expect(page.contains("HTTP/1.1 502 Bad Gateway"))
        #expect(page.contains("total 3.0 ms"))
        #expect(page.contains("matches if a trailing newline is removed from the body"))
        #expect(page.contains("timestamp is 41 minutes older"))
        #expect(page.contains(#"<li data-code="body_trailing_newline_added">"#))
        #expect(page.contains(#"<li data-code="timestamp_outside_tolerance">"#))
        #expect(page.contains(#"<span class="badge sig-invalid">invalid</span>"#))
        let list = try await harness.get("/").text
        #expect(list.contains("502 (1)"))
        let summary = try await harness.get("/api/captures").json()
        let first = try #require((summary["captures"] as? [[String: Any]])?.first)
        #expect(first["last_delivery_status"] as? Int == 502)
        #expect(first["deliveries"] as? Int == 1)
        try await harness.stop()
    }

    @Test func largeBodiesAreShownInPart() async throws {
        let binary = (0..<(1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([
                SampleCapture.make(headers: [("Host", "localhost:8080"), ("Content-Type", "image/png")], body: binary)
            ])
        }
        let page = try await harness.get("/captures/1")
        #expect(page.status == 200)
        // A 1 MiB body does not make a multi-megabyte page: a 16 KiB hex dump, a curl command reading a file.
        #expect(page.body.count < 400_000)
        #expect(page.text.contains("Showing the first 16.0 KiB of 1.0 MiB"))
        #expect(page.text.contains("--data-binary &#39;@capture-1.body&#39;"))
        #expect(page.text.contains("00000000  00 1f 3e 5d"))
        let body = try await harness.get("/api/captures/1/body")
        #expect(body.body == binary)
        try await harness.stop()
    }

    @Test func healthzAnswers200WhenTheStoreIsWritable() async throws {
        let harness = try await InspectorHarness.start()
        #expect(try await harness.get("/healthz").status == 200)
        try await harness.stop()
    }
}
