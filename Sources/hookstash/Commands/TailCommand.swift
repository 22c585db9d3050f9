import ArgumentParser
import HookstashCore

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print captures as they arrive (reads the store, so it follows any running `hookstash serve`).")

    @OptionGroup var store: StoreOptions

    @Flag(help: "One JSON object per capture per line.")
    var json = false

    @Option(help: "Also print this many of the latest captures first.")
    var last = 0

    @Option(help: ArgumentHelp("How often to look for new captures, in milliseconds.", visibility: .hidden))
    var pollInterval = 200

    func run() async throws {
        let captureStore = try store.openExisting()
        var after = try captureStore.latestID()
        if last > 0 {
            after = try captureStore.summaries(limit: last).last.map { $0.id - 1 } ?? after
        }
        if !json { Terminal.line(CaptureLine.header) }
        while !Task.isCancelled {
            let ids = try captureStore.ids(CaptureFilter(afterID: after), limit: 500)
            if let newest = ids.last {
                let summaries = try captureStore.summaries(
                    CaptureFilter(beforeID: newest + 1, afterID: after), limit: ids.count)
                for summary in summaries.reversed() {
                    if json {
                        try Terminal.json(CaptureSummaryDocument(summary))
                    } else {
                        Terminal.line(CaptureLine.format(summary))
                    }
                }
                after = newest
                continue
            }
            try await Task.sleep(for: .milliseconds(pollInterval))
        }
    }
}
