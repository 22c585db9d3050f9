import ArgumentParser
import HookstashCore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List captures, newest first.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var filters: FilterOptions

    @Option(help: "How many captures to list.")
    var limit = 20

    @Flag(help: "Print {\"captures\": [...], \"next\": cursor-or-null}, as GET /api/captures does.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be a positive number") }
    }

    func run() throws {
        let captureStore = try store.openExisting()
        let summaries = try captureStore.summaries(filters.filter, limit: limit + 1)
        let page = Array(summaries.prefix(limit))
        if json {
            try Terminal.json(
                CaptureListDocument(
                    captures: page.map(CaptureSummaryDocument.init),
                    next: summaries.count > limit ? page.last.map { String($0.id) } : nil))
            return
        }
        if page.isEmpty {
            Terminal.line("No captures in \(captureStore.path) match.")
            return
        }
        Terminal.line(CaptureLine.header)
        for summary in page { Terminal.line(CaptureLine.format(summary)) }
    }
}

struct CaptureListDocument: Encodable {
    var captures: [CaptureSummaryDocument]
    var next: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(captures, forKey: .captures)
        try container.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case captures, next }
}
