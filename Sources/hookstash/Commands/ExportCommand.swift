import ArgumentParser
import Foundation
import HookstashCore
import HookstashInspector
import HookstashStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write captures as a HAR 1.2 archive, curl commands, raw messages, a Postman collection or fixtures.",
        discussion: """
            har: one archive with an entry per capture (text bodies as text, others base64), for browser devtools.
            curl: one command per capture that sends the same method, target, headers and exact body bytes.
            raw: the exact bytes received, one capture after another.
            postman: a Postman collection (v2.1) with a request per capture (text bodies only).
            fixtures: with --out DIR, one folder per capture (capture-ID/): body (the body bytes), headers.json             (the headers in order, as [name, value] pairs), request.http (the exact bytes received).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case har, curl, raw, postman, fixtures
    }

    @OptionGroup var store: StoreOptions

    @Argument(help: "Capture ids.")
    var ids: [Int64]

    @Option(help: ArgumentHelp("har, curl, raw, postman or fixtures.", valueName: "format"))
    var format: Format

    @Option(help: ArgumentHelp("For fixtures: the folder to write into (created if missing).", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("For curl: send to this URL instead of the captured Host and target.", valueName: "url"))
    var to: String?

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("name at least one capture id") }
        if to != nil && format != .curl { throw ValidationError("--to applies to --format curl only") }
        if (out != nil) != (format == .fixtures) {
            throw ValidationError(
                format == .fixtures ? "--format fixtures needs --out DIR" : "--out applies to --format fixtures only")
        }
    }

    func run() throws {
        let captureStore = try store.openExisting()
        let captures = try ids.map { try captureStore.requireCapture(id: $0) }
        var output: [UInt8] = []
        switch format {
        case .har:
            let entries = try captures.map { HARDocument.Entry(capture: $0, body: try captureStore.bytes(of: $0.body)) }
            output = try HARDocument(entries: entries).encoded() + [UInt8(ascii: "\n")]
        case .curl:
            for capture in captures {
                let body = try captureStore.bytes(of: capture.body)
                let url = to.map { Self.url($0, target: capture.target) }
                output += Array((CurlCommand(capture: capture, body: body, url: url).text + "\n").utf8)
            }
        case .raw:
            for capture in captures { output += try captureStore.rawMessage(of: capture) }
        case .postman:
            let entries = try captures.map { HARDocument.Entry(capture: $0, body: try captureStore.bytes(of: $0.body)) }
            output = try PostmanCollection(entries: entries).encoded() + [UInt8(ascii: "\n")]
        case .fixtures:
            try writeFixtures(captures, from: captureStore, into: out ?? ".")
            return
        }
        Terminal.write(output)
    }

    /// `--to` with a path replaces the captured target; a bare origin keeps it.
    static func url(_ base: String, target: RequestTarget) -> String {
        guard let schemeEnd = base.range(of: "://") else { return base }
        if base[schemeEnd.upperBound...].contains("/") { return base }
        return base + (target.raw.hasPrefix("/") ? target.raw : "/" + target.raw)
    }

    /// One private folder per capture (0700, files 0600: captures hold whatever senders sent, secrets included).
    /// An existing capture folder is not overwritten.
    func writeFixtures(_ captures: [Capture], from captureStore: CaptureStore, into directory: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for capture in captures {
            let folder = (directory as NSString).appendingPathComponent("capture-\(capture.id)")
            guard !files.fileExists(atPath: folder) else {
                throw HookstashError.invalidInput("\(folder) exists; fixtures are not written over")
            }
            try files.createDirectory(
                atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            let headers = try JSONSerialization.data(
                withJSONObject: capture.headers.fields.map { [$0.name, $0.value] },
                options: [.prettyPrinted, .withoutEscapingSlashes])
            let contents: [(String, Data)] = [
                ("body", Data(try captureStore.bytes(of: capture.body))),
                ("headers.json", headers + Data("\n".utf8)),
                ("request.http", Data(try captureStore.rawMessage(of: capture))),
            ]
            for (name, data) in contents {
                let path = (folder as NSString).appendingPathComponent(name)
                guard files.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                    throw HookstashError.io("cannot write \(path)")
                }
            }
            Terminal.status("capture \(capture.id) → \(Terminal.field(folder))")
        }
    }
}
