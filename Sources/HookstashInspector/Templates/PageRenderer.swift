import Foundation
import HTTPTypes
import HookstashCore
import Hummingbird
import HummingbirdCore
import Mustache

/// Renders pages from the compiled-in templates. Every template is rendered with `ByteLevelHTML` as its content
/// type, put in front of each source at registration, so `{{…}}` escapes `& < > " '` by bytes in all of them and no
/// template can forget it. The only unescaped insertion is the layout's `{{{content}}}`, which is the output of
/// another template.
enum PageRenderer {
    /// The pragma that selects `ByteLevelHTML`, in front of every template.
    static let contentTypePragma = "{{% CONTENT_TYPE: \(ByteLevelHTML.name) }}"

    static let library: MustacheLibrary = {
        MustacheContentTypes.register(ByteLevelHTML(), named: ByteLevelHTML.name)
        var library = MustacheLibrary()
        let sources = [
            "layout": LayoutTemplate.source, "list": ListTemplate.source, "detail": DetailTemplate.source,
            "compare": CompareTemplate.source, "error": ErrorTemplate.source,
        ]
        for (name, source) in sources {
            do {
                try library.register(contentTypePragma + source, named: name)
            } catch {
                // The templates are constants of this module; the tests render every one of them.
                fatalError("the inspector template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    static func page(
        _ template: String, title: String, page: String, values: [String: Any], csrf: String, storePath: String,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let content = library.render(values, withTemplate: template) ?? ""
        let nonce = ScriptNonce.make()
        let html =
            library.render(
                [
                    "title": title, "page": page, "content": content, "csrf": csrf, "storePath": storePath,
                    "nonce": nonce,
                ] as [String: Any], withTemplate: "layout") ?? ""
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: SecurityHeaders.pagePolicy(scriptNonce: nonce),
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// swift-mustache's own HTML escaper compares `Character`s, so `"\u{600}<"` (one grapheme cluster) passes it
/// unescaped; this one escapes UTF-8 bytes.
struct ByteLevelHTML: MustacheContentType {
    static let name = "HOOKSTASH_HTML"

    func escapeText(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }
}

/// The per-page nonce that lets the page load `/static/inspector.js` and nothing else: 128 random bits, base64.
enum ScriptNonce {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
