import ArgumentParser
import Foundation
import HookstashCore
import HookstashInspector
import HookstashStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write captures as a HAR 1.2 archive, curl commands, or the raw messages.",
        discussion: """
            har: one archive with an entry per capture (text bodies as text, others base64), for browser devtools.
            curl: one command per capture that sends the same method, target, headers and exact body bytes.
            raw: the exact bytes received, one capture after another.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case har, curl, raw
    }

    @OptionGroup var store: StoreOptions

    @Argument(help: "Capture ids.")
    var ids: [Int64]

    @Option(help: ArgumentHelp("har, curl or raw.", valueName: "format"))
    var format: Format

    @Option(help: ArgumentHelp("For curl: send to this URL instead of the captured Host and target.", valueName: "url"))
    var to: String?

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("name at least one capture id") }
        if to != nil && format != .curl { throw ValidationError("--to applies to --format curl only") }
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
        }
        Terminal.write(output)
    }

    /// `--to` with a path replaces the captured target; a bare origin keeps it.
    static func url(_ base: String, target: RequestTarget) -> String {
        guard let schemeEnd = base.range(of: "://") else { return base }
        if base[schemeEnd.upperBound...].contains("/") { return base }
        return base + (target.raw.hasPrefix("/") ? target.raw : "/" + target.raw)
    }
}
