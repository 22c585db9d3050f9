import Foundation
import HookstashCore
import HookstashInspector
import HookstashStore
import Testing

@Suite struct InspectorSecurityTests {
    @Test func refusesForeignHostNames() async throws {
        let harness = try await InspectorHarness.start(allowedHosts: ["inspector.example"]) { store in
            _ = try store.insert([SampleCapture.make()])
        }
        // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1.
        let rebound = try await harness.get("/api/captures/1", host: "evil.example:\(harness.port)")
        #expect(rebound.status == 403)
        #expect(!rebound.text.contains("webhooks"))
        #expect(try await harness.get("/api/captures/1", host: "localhost:\(harness.port)").status == 200)
        #expect(try await harness.get("/api/captures/1", host: "127.0.0.1:\(harness.port)").status == 200)
        #expect(try await harness.get("/api/captures/1", host: "[::1]:\(harness.port)").status == 200)
        #expect(try await harness.get("/api/captures/1", host: "inspector.example").status == 200)
        #expect(try await harness.get("/", host: "127.0.0.1.evil.example").status == 403)
        // Not ASCII: fullwidth digits look like an IP literal to `Character.isHexDigit`; a combining mark hides a
        // `]` or `:` from a `Character` search. None is a host name a browser sends.
        for host in ["[\u{FF11}]", "[::1]\u{301}.evil.example", "localhost\u{301}", "evil.example:\u{301}4040"] {
            #expect(try await harness.get("/", host: host).status == 403, "\(host)")
        }
        try await harness.stop()
    }

    @Test func refusesCrossSiteChanges() async throws {
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([SampleCapture.make(), SampleCapture.make()])
        }
        let host = "127.0.0.1:\(harness.port)"
        // A form on another site posting to the inspector.
        let crossOrigin = try await harness.request(
            "DELETE", "/api/captures/1", headers: [("Origin", "http://evil.example")])
        #expect(crossOrigin.status == 403)
        let crossSite = try await harness.request(
            "DELETE", "/api/captures/1", headers: [("Sec-Fetch-Site", "cross-site")])
        #expect(crossSite.status == 403)
        let formPost = try await harness.request(
            "POST", "/captures/1/delete", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("x=1".utf8))
        #expect(formPost.status == 403)
        #expect(try harness.store.capture(id: 1) != nil)

        // Same origin, but without the page's CSRF token: refused too.
        let noToken = try await harness.request(
            "DELETE", "/api/captures/1", headers: [("Origin", "http://\(host)"), ("Sec-Fetch-Site", "same-origin")])
        #expect(noToken.status == 403)
        #expect(try harness.store.capture(id: 1) != nil)

        // The page's own form, with the token it embeds.
        let page = try await harness.get("/captures/1").text
        let csrf = try #require(Self.hiddenCSRF(in: page))

        // Even with the token, another origin or site may not change anything.
        let foreignWithToken = try await harness.request(
            "DELETE", "/api/captures/1", headers: [("Origin", "http://evil.example"), ("X-CSRF-Token", csrf)])
        #expect(foreignWithToken.status == 403)
        let crossSiteWithToken = try await harness.request(
            "DELETE", "/api/captures/1", headers: [("Sec-Fetch-Site", "same-site"), ("X-CSRF-Token", csrf)])
        #expect(crossSiteWithToken.status == 403)
        #expect(try harness.store.capture(id: 1) != nil)
        let deleted = try await harness.request(
            "POST", "/captures/1/delete",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", "http://\(host)"),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            body: Array("csrf_token=\(csrf)".utf8))
        #expect(deleted.status == 303)
        #expect(try harness.store.capture(id: 1) == nil)
        let byHeader = try await harness.request(
            "DELETE", "/api/captures/2", headers: [("Origin", "http://\(host)"), ("X-CSRF-Token", csrf)])
        #expect(byHeader.status == 204)
        try await harness.stop()
    }

    static func hiddenCSRF(in page: String) -> String? {
        guard let range = page.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func theTokenIsRequiredAndSetsACookie() async throws {
        let harness = try await InspectorHarness.start(token: "s3cret; \"quoted\"") { store in
            _ = try store.insert([SampleCapture.make()])
        }
        let anonymous = try await harness.get("/api/captures/1")
        #expect(anonymous.status == 401)
        #expect(!anonymous.text.contains("webhooks"))
        #expect(try await harness.get("/", headers: [("Authorization", "Bearer wrong")]).status == 401)
        #expect(try await harness.get("/healthz").status == 401)
        let bearer = try await harness.get("/api/captures/1", headers: [("Authorization", "Bearer s3cret; \"quoted\"")])
        #expect(bearer.status == 200)

        let once = try await harness.get("/captures/1?token=s3cret%3B%20%22quoted%22")
        #expect(once.status == 303)
        #expect(once.header("Location") == "/captures/1")
        let setCookie = try #require(once.header("Set-Cookie"))
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Strict"))
        #expect(!setCookie.contains("s3cret"))
        let cookie = String(setCookie.prefix { $0 != ";" })
        let protocolRelative = try await harness.get("//evil.example/x?token=s3cret%3B%20%22quoted%22&a=1")
        #expect(protocolRelative.header("Location") == "/evil.example/x?a=1")
        let withCookie = try await harness.get("/captures/1", headers: [("Cookie", cookie)])
        #expect(withCookie.status == 200)
        #expect(withCookie.text.contains("/webhooks/front"))
        try await harness.stop()
    }

    @Test func nonLoopbackBindNeedsAToken() throws {
        #expect(throws: HookstashError.self) { try InspectorExposure.check(host: "0.0.0.0", token: nil) }
        #expect(throws: HookstashError.self) { try InspectorExposure.check(host: "192.168.1.5", token: "") }
        #expect(throws: Never.self) { try InspectorExposure.check(host: "0.0.0.0", token: "t") }
        #expect(throws: Never.self) { try InspectorExposure.check(host: "127.0.0.1", token: nil) }
        #expect(throws: Never.self) { try InspectorExposure.check(host: "::1", token: nil) }
        #expect(throws: Never.self) { try InspectorExposure.check(host: "localhost", token: nil) }
        do {
            try InspectorExposure.check(host: "0.0.0.0", token: nil)
        } catch let error as HookstashError {
            #expect(error.message.contains("without a token"))
        }
    }

    @Test func pagesEscapeCapturedDataAndForbidInlineScript() async throws {
        let hostile = #""><img src=x onerror=alert(1)>"#
        let harness = try await InspectorHarness.start { store in
            _ = try store.insert([
                SampleCapture.make(
                    target: "/x?<script>alert(2)</script>",
                    headers: [("Host", "localhost:8080"), ("X-Evil", hostile), ("<b>", "v")],
                    body: Array("<script>document.title='pwned'</script>".utf8))
            ])
        }
        for path in ["/", "/captures/1"] {
            let page = try await harness.get(path)
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            let policy = try #require(page.header("Content-Security-Policy"))
            // The page's one script is allowed by its nonce, not by origin: no other file of ours can run.
            #expect(policy.contains("script-src 'nonce-"))
            #expect(!policy.contains("script-src 'self'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(page.header("X-Content-Type-Options") == "nosniff")
            #expect(!page.text.contains("<script>"))
            #expect(!page.text.contains("<img"))
            #expect(!page.text.contains("<b>"))
        }
        let detail = try await harness.get("/captures/1").text
        #expect(detail.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"))
        #expect(detail.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        try await harness.stop()
    }
}
