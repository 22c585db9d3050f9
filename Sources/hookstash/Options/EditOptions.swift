import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashStore

/// `replay`'s edits: what to change in each capture before it is sent (edit and replay).
struct EditOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Set a header ('K: V'), replacing the captured one in place. Repeatable.", valueName: "header"))
    var setHeader: [String] = []

    @Option(help: ArgumentHelp("Remove every header called K. Repeatable.", valueName: "name"))
    var removeHeader: [String] = []

    @Option(help: ArgumentHelp("Send this file's bytes as the body.", valueName: "file"))
    var bodyFile: String?

    @Option(
        help: ArgumentHelp(
            "Set the JSON value at a pointer: /data/amount=4200 (the value is parsed as JSON, else sent as a string). "
                + "Repeatable; applied after --body-file.", valueName: "/pointer=value"))
    var jsonSet: [String] = []

    @Option(help: ArgumentHelp("Send this method instead of the captured one.", valueName: "method"))
    var setMethod: String?

    @Option(
        help: ArgumentHelp(
            "Send this request-target instead of the captured one (a path without ? keeps the captured query).",
            valueName: "path"))
    var setPath: String?

    @Flag(help: "Store each request as sent as a new capture (to replay it again or diff it).")
    var save = false

    var isEmpty: Bool {
        setHeader.isEmpty && removeHeader.isEmpty && bodyFile == nil && jsonSet.isEmpty && setMethod == nil
            && setPath == nil
    }

    func validate() throws {
        do {
            for text in setHeader {
                guard try ReplaySettings.parseHeader(text).value != nil else {
                    throw ValidationError("--set-header \(text) has no value; use --remove-header to remove a header")
                }
            }
            for name in removeHeader { _ = try ReplaySettings.parseHeader(name + ":") }
        } catch let error as DeliveryError {
            throw ValidationError(error.message)
        }
        for text in jsonSet { _ = try Self.jsonEdit(text) }
        if let setMethod, setMethod.isEmpty || !setMethod.utf8.allSatisfy(HTTPFieldName.isTokenByte) {
            throw ValidationError("--set-method \(setMethod) is not an HTTP method token")
        }
        if let setPath,
            setPath.utf8.first != UInt8(ascii: "/") || setPath.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7f })
        {
            throw ValidationError("--set-path must start with / and hold no spaces, control or non-ASCII bytes")
        }
    }

    /// `--set-header` and `--remove-header` as extra headers (set or remove), in that order.
    func headers() throws -> [(name: String, value: String?)] {
        try setHeader.map { try ReplaySettings.parseHeader($0) } + removeHeader.map { ($0, nil) }
    }

    /// The method, target and body edits (the body file read now).
    func edits() throws -> RequestEdits {
        var body: [UInt8]?
        if let bodyFile {
            guard let data = FileManager.default.contents(atPath: bodyFile) else {
                throw HookstashError.io("cannot read --body-file \(bodyFile)")
            }
            body = Array(data)
        }
        return RequestEdits(
            method: setMethod, target: setPath, body: body, jsonValues: try jsonSet.map(Self.jsonEdit))
    }

    /// `/pointer=value`: the pointer up to the first `=`.
    static func jsonEdit(_ text: String) throws -> RequestEdits.JSONValueEdit {
        guard let equals = text.firstIndex(of: "=") else {
            throw ValidationError("--json-set \(text) has no '='; write /pointer=value")
        }
        let pointer: JSONPointer
        do {
            pointer = try JSONPointer(parsing: String(text[..<equals]))
        } catch {
            throw ValidationError("--json-set \(text): \(Wording.commandLine.sentence(error))")
        }
        guard !pointer.tokens.isEmpty else {
            throw ValidationError("--json-set \(text) names the whole body; use --body-file")
        }
        return RequestEdits.JSONValueEdit(
            pointer: pointer, value: JSONEdit.valueText(String(text[text.index(after: equals)...])))
    }

    /// The capture `request` would be if it had arrived as sent: stored with `--save`.
    static func capture(of request: OutgoingRequest, editing original: Int64) -> Capture {
        var head = "\(request.method) \(request.requestTarget) HTTP/1.1\r\n"
        for field in request.headers { head += "\(field.name): \(field.value)\r\n" }
        head += "\r\n"
        return Capture(
            receivedAt: .now(), remoteAddress: "edit of capture \(original)", method: request.method,
            target: RequestTarget(request.requestTarget), httpVersion: "HTTP/1.1", headers: request.headers,
            body: .inline(request.body), bodySHA256: DigestHasher.digest(.sha256, request.body).hexString,
            rawHead: Array(head.utf8), responseStatus: 0)
    }
}
