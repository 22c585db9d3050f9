// The diff as the JSON API and `diff --json` write it: snake_case keys, every byte sequence as text (invalid UTF-8
// replaced) and as base64, so nothing is lost and nothing needs a binary-safe reader.

extension MessageDiff: Encodable {
    enum CodingKeys: String, CodingKey {
        case identical
        case startLine = "start_line"
        case headers, body
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isEmpty, forKey: .identical)
        try container.encode(startLine, forKey: .startLine)
        try container.encode(headers, forKey: .headers)
        try container.encode(body, forKey: .body)
    }
}

extension MessageDiff.StartLineChange: Encodable {
    enum CodingKeys: String, CodingKey {
        case field, old, new
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        try container.encode(old, forKey: .old)
        try container.encode(new, forKey: .new)
    }
}

extension MessageDiff.HeaderChange: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, name
        case oldName = "old_name"
        case oldValue = "old_value"
        case newValue = "new_value"
        case oldIndex = "old_index"
        case newIndex = "new_index"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind.rawValue, forKey: .kind)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(oldName, forKey: .oldName)
        try container.encodeIfPresent(oldValue, forKey: .oldValue)
        try container.encodeIfPresent(newValue, forKey: .newValue)
        try container.encodeIfPresent(oldIndex, forKey: .oldIndex)
        try container.encodeIfPresent(newIndex, forKey: .newIndex)
    }
}

extension BodyDiff: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, changes, truncated, hunks, difference
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .identical:
            try container.encode("identical", forKey: .kind)
        case .json(let changes, let truncated):
            try container.encode("json", forKey: .kind)
            try container.encode(changes, forKey: .changes)
            try container.encode(truncated, forKey: .truncated)
        case .lines(let hunks):
            try container.encode("lines", forKey: .kind)
            try container.encode(hunks, forKey: .hunks)
        case .bytes(let difference):
            try container.encode("bytes", forKey: .kind)
            try container.encode(difference, forKey: .difference)
        }
    }
}

extension JSONChange: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, pointer, old, new
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind.rawValue, forKey: .kind)
        try container.encode(pointer, forKey: .pointer)
        try container.encodeIfPresent(old, forKey: .old)
        try container.encodeIfPresent(new, forKey: .new)
    }
}

extension LineDiff.Hunk: Encodable {
    enum CodingKeys: String, CodingKey {
        case oldStart = "old_start"
        case newStart = "new_start"
        case lines
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(oldStart, forKey: .oldStart)
        try container.encode(newStart, forKey: .newStart)
        try container.encode(lines, forKey: .lines)
    }
}

extension LineDiff.Line: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind.rawValue, forKey: .kind)
        try container.encode(text, forKey: .text)
    }
}

extension FirstDifference: Encodable {
    enum CodingKeys: String, CodingKey {
        case offset
        case oldSize = "old_size"
        case newSize = "new_size"
        case before, oldAfter = "old_after", newAfter = "new_after"
        case beforeBase64 = "before_base64"
        case oldAfterBase64 = "old_after_base64"
        case newAfterBase64 = "new_after_base64"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(offset, forKey: .offset)
        try container.encode(oldSize, forKey: .oldSize)
        try container.encode(newSize, forKey: .newSize)
        try container.encode(String(decoding: before, as: UTF8.self), forKey: .before)
        try container.encode(String(decoding: oldAfter, as: UTF8.self), forKey: .oldAfter)
        try container.encode(String(decoding: newAfter, as: UTF8.self), forKey: .newAfter)
        try container.encode(Base64.encode(before), forKey: .beforeBase64)
        try container.encode(Base64.encode(oldAfter), forKey: .oldAfterBase64)
        try container.encode(Base64.encode(newAfter), forKey: .newAfterBase64)
    }
}
