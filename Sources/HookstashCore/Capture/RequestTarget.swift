/// The request-target exactly as sent, with the path and query a user filters on.
///
/// Nothing is decoded or normalised: `/a/../b` and `%2F` stay as they are. An absolute-form target
/// (`http://host/p?q`) yields the path `/p`; the asterisk form yields `*`.
public struct RequestTarget: Sendable, Hashable {
    public let raw: String

    public init(_ raw: String) {
        self.raw = raw
    }

    public var path: String {
        let utf8 = raw.utf8
        let end = utf8.firstIndex(of: UInt8(ascii: "?")) ?? utf8.endIndex
        let withoutQuery = raw[..<end]
        // Origin form (`/p`), the common case, is its own path; else look for an absolute form's authority.
        guard utf8.first != UInt8(ascii: "/"), let separator = withoutQuery.firstRange(of: "://") else {
            return String(withoutQuery)
        }
        let afterAuthority = withoutQuery[separator.upperBound...]
        guard let slash = afterAuthority.firstIndex(of: "/") else { return "/" }
        return String(afterAuthority[slash...])
    }

    public var query: String? {
        guard let mark = raw.firstIndex(of: "?") else { return nil }
        return String(raw[raw.index(after: mark)...])
    }
}
