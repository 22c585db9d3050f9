import HookstashCore

/// What a user changes in a capture before replaying it (`replay --method --path --body-file --json-set`): applied
/// before the request is built, so `Content-Length` follows the edited body and re-signing signs it. Each edit is
/// listed in the delivery record beside the automatic changes.
public struct RequestEdits: Sendable, Hashable {
    public var method: String?
    /// The request-target (`/path?query`); a path without `?` keeps the captured query.
    public var target: String?
    /// The whole body.
    public var body: [UInt8]?
    /// JSON values set by pointer, in order, after `body`: the JSON text of each value.
    public var jsonValues: [JSONValueEdit] = []

    public struct JSONValueEdit: Sendable, Hashable {
        public var pointer: JSONPointer
        public var value: [UInt8]

        public init(pointer: JSONPointer, value: [UInt8]) {
            self.pointer = pointer
            self.value = value
        }
    }

    public init(method: String? = nil, target: String? = nil, body: [UInt8]? = nil, jsonValues: [JSONValueEdit] = []) {
        self.method = method
        self.target = target
        self.body = body
        self.jsonValues = jsonValues
    }

    public var isEmpty: Bool { method == nil && target == nil && body == nil && jsonValues.isEmpty }

    /// `capture` and `body` as edited, with the changes made. Throws `DeliveryError.invalidRequest` for a method or
    /// target that cannot be sent, and `JSONEdit.Failure` for a pointer that cannot be set.
    public func apply(to capture: Capture, body: [UInt8]) throws -> (Capture, [UInt8], [RequestChange]) {
        var capture = capture
        var body = body
        var changes: [RequestChange] = []
        if let method, !method.utf8.elementsEqual(capture.method.utf8) {
            guard !method.isEmpty, method.utf8.allSatisfy(HTTPFieldName.isTokenByte) else {
                throw DeliveryError.invalidRequest("the method \(method) is not a token")
            }
            changes.append(RequestChange(.methodEdited, value: method, was: capture.method))
            capture.method = method
        }
        if let target {
            var edited = target
            if !edited.utf8.contains(UInt8(ascii: "?")), let query = capture.target.query {
                edited += "?" + query
            }
            guard edited.utf8.first == UInt8(ascii: "/"), !edited.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7f })
            else {
                throw DeliveryError.invalidRequest(
                    "the path \(target) must start with / and hold no spaces, control or non-ASCII bytes")
            }
            if !edited.utf8.elementsEqual(capture.target.raw.utf8) {
                changes.append(RequestChange(.requestTargetEdited, value: edited, was: capture.target.raw))
                capture.target = RequestTarget(edited)
            }
        }
        if let replacement = self.body {
            changes.append(RequestChange(.bodyReplaced, value: String(replacement.count), was: String(body.count)))
            body = replacement
        }
        for edit in jsonValues {
            let result = try JSONEdit.setting(edit.pointer, to: edit.value, in: body)
            changes.append(
                RequestChange(
                    .jsonValueSet, name: edit.pointer.description, value: String(decoding: edit.value, as: UTF8.self),
                    was: result.was))
            body = result.body
        }
        return (capture, body, changes)
    }
}
