import Foundation
import HTTPTypes
import HookstashCore
import Hummingbird
import HummingbirdCore

/// Checks every inspector request before it reaches a route, and adds the security headers to every answer:
///
/// 1. `Host` must be allowed (DNS rebinding);
/// 2. the token, when configured: `Authorization: Bearer`, the cookie, or `?token=` (which sets the cookie);
/// 3. requests that change state must not be cross-site (`Origin`, `Sec-Fetch-Site`), and a browser's must carry
///    the CSRF token (`X-CSRF-Token` header or `csrf_token` form field).
struct RequestGuard<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "hookstash_token" }
    static var csrfHeader: HTTPField.Name { HTTPField.Name("X-CSRF-Token")! }
    static var csrfField: String { "csrf_token" }

    let hosts: HostAllowList
    let token: String?
    let csrfToken: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        var response = try await check(request, context: context, next: next)
        SecurityHeaders.apply(to: &response.headers, path: request.uri.path)
        let elapsed = ContinuousClock.now - started
        let milliseconds =
            Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[HTTPField.Name("Server-Timing")!] = "app;dur=" + String(format: "%.3f", milliseconds)
        return response
    }

    private func check(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let host = request.head.authority
        guard hosts.allows(host) else {
            return ErrorResponse.make(
                .forbidden,
                "this inspector does not answer to the host name \(host ?? "(none)"); open it at 127.0.0.1 or "
                    + "localhost, or add the name to the allowed hosts")
        }
        var setCookie = false
        if let token {
            switch authorize(request, token: token) {
            case .authorized:
                break
            case .authorizedByQuery:
                setCookie = true
                if request.method == .get || request.method == .head {
                    // Take the token out of the address bar and history; the cookie carries it from now on.
                    var response = Response(status: .seeOther)
                    response.headers[.location] = Self.pathWithoutToken(request.uri)
                    response.setCookie(sessionCookie(token, secure: Self.reachedOverTLS(request)))
                    return response
                }
            case .missing:
                var response = ErrorResponse.make(
                    .unauthorized,
                    "this inspector needs its token: send `Authorization: Bearer TOKEN`, or open it once with ?token=TOKEN"
                )
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
        }
        var request = request
        if Self.changesState(request.method) {
            if let refusal = try await refuseCrossSite(&request, host: host ?? "") {
                return refusal
            }
        }
        var response = try await next(request, context)
        if setCookie, let token { response.setCookie(sessionCookie(token, secure: Self.reachedOverTLS(request))) }
        return response
    }

    private enum Authorization {
        case authorized, authorizedByQuery, missing
    }

    private func authorize(_ request: Request, token: String) -> Authorization {
        let expected = Array(token.utf8)
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let presented = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
            if constantTimeEquals(Array(presented.utf8), expected) { return .authorized }
        }
        if let cookie = request.cookies[Self.cookieName],
            constantTimeEquals(Array(cookie.value.utf8), Array(Self.cookieValue(token).utf8))
        {
            return .authorized
        }
        if let query = request.uri.queryParameters.get("token"), constantTimeEquals(Array(query.utf8), expected) {
            return .authorizedByQuery
        }
        return .missing
    }

    /// The cookie holds a digest of the token, not the token: any token text is a valid cookie value, and the
    /// token itself is not written to the browser's cookie store. `secure` when the browser reached the inspector
    /// over TLS, so that the cookie is never sent over plain HTTP afterwards.
    private func sessionCookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(
            name: Self.cookieName, value: Self.cookieValue(token), path: "/", secure: secure, httpOnly: true,
            sameSite: .strict)
    }

    /// Whether a TLS-terminating proxy in front says the browser used https: `X-Forwarded-Proto: https` or
    /// `Forwarded: proto=https` (the first hop's). The inspector itself speaks plain HTTP. Any client may send
    /// these headers, and that is harmless: the answer only makes the cookie stricter (a browser on plain HTTP
    /// that claims https gets a cookie it will not send back).
    static func reachedOverTLS(_ request: Request) -> Bool {
        func firstHop(_ value: String) -> Substring {
            (value.split(separator: ",", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)[...]
        }
        if let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!],
            firstHop(proto).lowercased() == "https"
        {
            return true
        }
        if let forwarded = request.headers[HTTPField.Name("Forwarded")!] {
            let pairs = firstHop(forwarded).split(separator: ";").map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            return pairs.contains("proto=https") || pairs.contains("proto=\"https\"")
        }
        return false
    }

    static func cookieValue(_ token: String) -> String {
        DigestHasher.digest(.sha256, Array(("hookstash-inspector:" + token).utf8)).hexString
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        !(method == .get || method == .head || method == .options)
    }

    /// nil when the request may proceed; else the refusal.
    private func refuseCrossSite(_ request: inout Request, host: String) async throws -> Response? {
        // Compared as bytes, as every check of request data is (`String` equality is canonical equivalence).
        func same(_ value: String, _ expected: String) -> Bool { value.utf8.elementsEqual(expected.utf8) }
        let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]
        if let site, !same(site, "same-origin"), !same(site, "none") {
            return ErrorResponse.make(
                .forbidden, "cross-site requests may not change captures (Sec-Fetch-Site: \(site))")
        }
        let origin = request.headers[.origin]
        if let origin, !same(origin, "http://" + host), !same(origin, "https://" + host) {
            return ErrorResponse.make(.forbidden, "requests from \(origin) may not change captures")
        }
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        let isForm =
            contentType.hasPrefix("application/x-www-form-urlencoded") || contentType.hasPrefix("multipart/form-data")
            || contentType.hasPrefix("text/plain")
        let fromBrowser = site != nil || origin != nil || request.headers[.cookie] != nil || isForm
        guard fromBrowser else { return nil }
        var presented = request.headers[Self.csrfHeader]
        if presented == nil, contentType.hasPrefix("application/x-www-form-urlencoded") {
            let body = try await request.collectBody(upTo: 64 * 1024)
            presented = FormFields(String(buffer: body))[Self.csrfField]
        }
        guard let presented, constantTimeEquals(Array(presented.utf8), Array(csrfToken.utf8)) else {
            return ErrorResponse.make(
                .forbidden, "the form is out of date or did not come from this inspector; reload the page and try again"
            )
        }
        return nil
    }

    /// The request path and query with `token=` removed.
    static func pathWithoutToken(_ uri: URI) -> String {
        let kept = (uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("token=") }
        // A path starting `//` would be a protocol-relative redirect to another host.
        var path = uri.path
        while path.hasPrefix("//") { path.removeFirst() }
        if !path.hasPrefix("/") { path = "/" + path }
        return kept.isEmpty ? path : path + "?" + kept.joined(separator: "&")
    }
}

/// `application/x-www-form-urlencoded` fields; the first value of each name.
struct FormFields: Sendable {
    private var values: [String: String] = [:]

    init(_ text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String {
                let spaced = String(part).replacing("+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decoded(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? decoded(parts[1]) : "" }
        }
    }

    subscript(_ name: String) -> String? { values[name] }
}

/// Headers on every inspector answer.
enum SecurityHeaders {
    /// A page's policy: its one script is the one carrying `scriptNonce` (`/static/inspector.js`), never any
    /// other file of this origin — a capture's body, even served under another type by mistake, cannot be loaded
    /// as a script. Styles only from our own files.
    static func pagePolicy(scriptNonce: String) -> String {
        "default-src 'none'; script-src 'nonce-\(scriptNonce)'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    /// Every other answer (JSON, downloads, redirects, the static files): nothing runs, nothing loads.
    static let otherPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

    static func apply(to headers: inout HTTPFields, path: String) {
        if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = otherPolicy }
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}

/// JSON error answers: `{"error": "one sentence"}`.
enum ErrorResponse {
    static func make(_ status: HTTPResponse.Status, _ message: String) -> Response {
        struct Body: Encodable { var error: String }
        let data = (try? JSONEncoder().encode(Body(error: message))) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
