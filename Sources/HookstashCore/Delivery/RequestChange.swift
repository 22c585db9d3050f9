/// One change a replay, forward or relay made to the captured request: a stable machine `code` and what it changed.
/// `Wording` turns it into the sentence the delivery record lists (`Host set to localhost:3000 (was example.com)`).
public struct RequestChange: Sendable, Hashable, Codable {
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The request-target was replaced by the target's path (`value`, `was`).
        case requestTargetRewritten = "request_target_rewritten"
        /// Re-signing for Twilio added `bodySHA256` to the query (`value`: the new request-target).
        case requestTargetSignsBodyHash = "request_target_signs_body_hash"
        /// A hop-by-hop header was not sent (`name`).
        case hopByHopDropped = "hop_by_hop_dropped"
        /// A second `Content-Length` was not sent (`name`).
        case duplicateContentLengthDropped = "duplicate_content_length_dropped"
        /// `Content-Length` was recomputed from the body (`value`, `was`).
        case contentLengthRecomputed = "content_length_recomputed"
        /// `Content-Length` was added for a body that had none, or replaced `Transfer-Encoding` (`value`).
        case contentLengthAdded = "content_length_added"
        /// `Host` was set to the target's authority (`value`, `was`).
        case hostRewritten = "host_rewritten"
        case hostAdded = "host_added"
        /// A header the user asked for (`name`, `source`).
        case headerAdded = "header_added"
        case headerReplaced = "header_replaced"
        case headerRemoved = "header_removed"
        /// The signature headers were recomputed (`value`: their names, `scheme`).
        case resigned = "resigned"
        /// Edits the user asked for (`replay --method`, `--path`, `--body-file`, `--json-set`):
        /// the method (`value`, `was`), …
        case methodEdited = "method_edited"
        /// … the request-target (`value`, `was`), …
        case requestTargetEdited = "request_target_edited"
        /// … the whole body (`value`: its size in bytes, `was`: the captured size), …
        case bodyReplaced = "body_replaced"
        /// … one JSON value of the body (`name`: the pointer, `value`, `was`: nil when the value was added).
        case jsonValueSet = "json_value_set"
    }

    /// Where a header the user asked for came from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// The replay command's header option.
        case replayCommand = "replay_command"
        /// A replay request to the inspector's API.
        case replayRequest = "replay_request"
    }

    public var code: Code
    /// The header name.
    public var name: String?
    /// The new value.
    public var value: String?
    /// The captured value.
    public var was: String?
    public var source: Source?
    public var scheme: String?

    public init(
        _ code: Code, name: String? = nil, value: String? = nil, was: String? = nil, source: Source? = nil,
        scheme: String? = nil
    ) {
        self.code = code
        self.name = name
        self.value = value
        self.was = was
        self.source = source
        self.scheme = scheme
    }
}
