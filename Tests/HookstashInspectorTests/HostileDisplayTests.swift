import Foundation
import HookstashCore
import HookstashStore
import Synchronization
import Testing

@testable import HookstashInspector

/// Captured data that tries to become markup or script in the inspector: grapheme clusters that hide `<`, `"` or
/// `'` from a `Character`-based escaper, a body declared as JavaScript, JSON built to explode when indented.
@Suite struct HostileDisplayTests {
    static let graphemeCapture = SampleCapture.make(
        target: "/x?\u{600}<b id=injected-target>",
        headers: [
            ("Host", "localhost:8080"), ("Content-Type", "text/plain"),
            ("X-Grapheme", "\"\u{301}><b id=injected-header>"), ("X-Quote", "'\u{301}><b id=injected-quote>"),
        ],
        body: Array("\u{600}<b id=injected-body> \"\u{301} '\u{301} <\u{338}script>".utf8))

    /// What must never reach a page unescaped.
    static let rawPayloads = ["<b id=injected", "<\u{338}script", "\"\u{301}", "'\u{301}"]

    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        haystack.firstRange(of: Array(needle.utf8)) != nil
    }

    @Test func graphemePayloadsLeaveNoRawMarkupOnThePages() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([Self.graphemeCapture])
        }
        // The path filter is reflected into attributes (`value="…"`, `data-path="…"`).
        let reflected = "/?path=%22%CC%81%20autofocus%20onfocus%3Dalert(1)%20x%3D%22%CC%81"
        for path in ["/", "/captures/1", reflected] {
            let page = try await harness.get(path)
            #expect(page.status == 200)
            for needle in Self.rawPayloads {
                #expect(!Self.contains(page.body, needle), "\(path): \(needle.unicodeScalars.map(\.value))")
            }
        }
        let detail = try await harness.get("/captures/1").text
        #expect(detail.contains("\u{600}&lt;b id=injected-body&gt;"))
        #expect(detail.contains("&quot;\u{301}&gt;&lt;b id=injected-header&gt;"))
        try await harness.stop()
    }

    @Test func everyDownloadIsAnAttachmentThatCannotRenderOrRun() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([
                SampleCapture.make(
                    headers: [("Host", "localhost:8080"), ("Content-Type", "text/javascript")],
                    body: Array("document.title = 'pwned';".utf8)),
                SampleCapture.make(
                    headers: [("Host", "localhost:8080"), ("Content-Type", "text/html\u{600}")],
                    body: Array("<script>alert(1)</script>".utf8)),
            ])
        }
        let expectedTypes = [
            "body": "application/octet-stream", "raw": "application/octet-stream", "har": "application/octet-stream",
            "curl": "text/plain; charset=utf-8",
        ]
        for id in [1, 2] {
            for (download, type) in expectedTypes {
                let response = try await harness.get("/api/captures/\(id)/\(download)")
                #expect(response.status == 200)
                #expect(response.header("Content-Type") == type, "\(download)")
                #expect(response.header("Content-Disposition")?.hasPrefix("attachment;") == true, "\(download)")
                #expect(response.header("X-Content-Type-Options") == "nosniff", "\(download)")
                #expect(response.header("Content-Security-Policy")?.contains("sandbox") == true, "\(download)")
            }
        }
        #expect(try await harness.get("/api/captures/1/body").header("X-Hookstash-Content-Type") == "text/javascript")
        // A declared type that is not printable ASCII is not echoed at all.
        #expect(try await harness.get("/api/captures/2/body").header("X-Hookstash-Content-Type") == nil)
        try await harness.stop()
    }

    @Test func thePagesScriptIsAllowedByAFreshNonceOnly() async throws {
        let harness = try await InspectorHarness.start { store in _ = try store.insert([SampleCapture.make()]) }
        var nonces: [String] = []
        for path in ["/", "/captures/1", "/captures/99"] {
            let page = try await harness.get(path)
            let policy = try #require(page.header("Content-Security-Policy"))
            let scriptSource = try #require(
                policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.hasPrefix("script-src ") })
            let nonce = try #require(scriptSource.firstMatch(of: /^script-src 'nonce-([A-Za-z0-9+\/=]{22,})'$/)?.1)
            #expect(page.text.contains(#"<script src="/static/inspector.js" nonce="\#(nonce)" defer>"#))
            nonces.append(String(nonce))
        }
        #expect(Set(nonces).count == nonces.count)
        // Answers that are not pages allow no script at all.
        for path in ["/api/captures", "/api/captures/1", "/static/inspector.js"] {
            let policy = try #require(try await harness.get(path).header("Content-Security-Policy"))
            #expect(!policy.contains("script-src"), "\(path)")
            #expect(policy.contains("default-src 'none'"), "\(path)")
        }
        try await harness.stop()
    }

    @Test func theSessionCookieIsSecureBehindTLS() async throws {
        let harness = try await InspectorHarness.start(token: "t0ken") { store in
            _ = try store.insert([SampleCapture.make()])
        }
        let plain = try #require(try await harness.get("/?token=t0ken").header("Set-Cookie"))
        #expect(!plain.lowercased().contains("secure"))
        for header in [
            ("X-Forwarded-Proto", "https"), ("X-Forwarded-Proto", "HTTPS, http"),
            ("Forwarded", "for=1.2.3.4;proto=https"),
        ] {
            let behindProxy = try #require(
                try await harness.get("/?token=t0ken", headers: [header]).header("Set-Cookie"))
            #expect(behindProxy.contains("Secure"), "\(header)")
            #expect(behindProxy.contains("HttpOnly"))
        }
        let viaAPI = try await harness.request(
            "DELETE", "/api/captures/1?token=t0ken", headers: [("X-Forwarded-Proto", "https")])
        #expect(viaAPI.header("Set-Cookie")?.contains("Secure") == true)
        try await harness.stop()
    }

    /// 256 KiB of arrays nested 100 deep: indenting it would take ~26 MB.
    static let explodingJSON: [UInt8] = {
        let block = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let count = (256 * 1024 - 2) / (block.utf8.count + 1)
        return Array(("[" + Array(repeating: block, count: count).joined(separator: ",") + "]").utf8)
    }()

    @Test func indentingJSONIsBoundedAndFallsBackToTheText() throws {
        #expect(Self.explodingJSON.count <= 256 * 1024)
        #expect(JSONPrettyPrinter.prettyPrinted(Self.explodingJSON) == nil)
        let presentation = BodyPresentation(
            body: Self.explodingJSON, totalBytes: Int64(Self.explodingJSON.count))
        #expect(presentation.kind == .text)
        #expect(presentation.shown.utf8.count == Self.explodingJSON.count)
        // An ordinary document still gets indented.
        #expect(JSONPrettyPrinter.prettyPrinted(Array(#"{"a":[1,{"b":[[2]]}]}"#.utf8)) != nil)
    }

    @Test func aDetailPageOfExplodingJSONStaysSmall() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([SampleCapture.make(body: Self.explodingJSON)])
        }
        let page = try await harness.get("/captures/1")
        #expect(page.status == 200)
        #expect(page.body.count < 1024 * 1024, "the page is \(page.body.count) bytes")
        #expect(page.text.contains(#"<pre class="code body-text" id="body-text">"#))
        try await harness.stop()
    }

    @Test func replayRefusesHeadersAndTargetsThatBreakTheLine() async throws {
        let calls = CallCount()
        let harness = try await InspectorHarness.start(
            replay: { id, request in
                calls.increment()
                return DeliveryDocument(
                    Delivery(
                        id: 1, captureID: id, to: request.to, at: .now(), status: 200, durationMs: 1, error: nil,
                        resigned: false))
            },
            seed: { store in _ = try store.insert([SampleCapture.make()]) })
        let bodies = [
            #"{"to":"http://127.0.0.1:3000/hook","headers":[["X-A","v\r\nX-Injected: 1"]]}"#,
            #"{"to":"http://127.0.0.1:3000/hook","headers":[["X-A\r\nX-Injected","1"]]}"#,
            #"{"to":"http://127.0.0.1:3000/hook","headers":[["X-A","v\u0000w"]]}"#,
            #"{"to":"http://127.0.0.1:3000/hook","headers":[["X-A","v\nw"]]}"#,
            #"{"to":"http://127.0.0.1:3000/hook\r\nX-Injected: 1"}"#,
        ]
        for body in bodies {
            let response = try await harness.request(
                "POST", "/api/captures/1/replay", headers: [("Content-Type", "application/json")],
                body: Array(body.utf8))
            #expect(response.status == 400, "\(body)")
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let message = try #require(try response.json()["error"] as? String)
            #expect(
                message.contains("carriage return") || message.contains("line feed") || message.contains("NUL"),
                "\(message)")
        }
        #expect(calls.value == 0)
        try await harness.stop()
    }
}

/// Counts calls from concurrent closures.
final class CallCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
