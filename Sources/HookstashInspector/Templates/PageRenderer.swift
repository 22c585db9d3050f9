import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Mustache

/// Renders pages from the compiled-in templates. `{{…}}` escapes `& < > " '`; the only unescaped insertion
/// is the layout's `{{{content}}}`, which is the output of another template.
enum PageRenderer {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let sources = [
            "layout": LayoutTemplate.source, "list": ListTemplate.source, "detail": DetailTemplate.source,
            "error": ErrorTemplate.source,
        ]
        for (name, source) in sources {
            do {
                try library.register(source, named: name)
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
        let html =
            library.render(
                [
                    "title": title, "page": page, "content": content, "csrf": csrf, "storePath": storePath,
                ] as [String: Any], withTemplate: "layout") ?? ""
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
