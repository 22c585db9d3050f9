import ArgumentParser
import HookstashCore
import HookstashInspector
import HookstashStore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two captures, two deliveries' answers, or a capture's body with the body its sender signed.",
        discussion: """
            hookstash diff 12 17              request line, headers (added, removed, changed, moved, case) and body
            hookstash diff --deliveries 3 4   the answers two deliveries got
            hookstash diff 12 --signed        the body received against the body the signature diagnosis found signed

            Bodies are compared by JSON pointer when both are JSON, by line when both are text, else by their first
            differing byte. Exit status: 0 when nothing differs, 1 when something does, 2 on usage errors.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Capture ids (delivery ids with --deliveries): the old one, then the new one.")
    var ids: [Int64] = []

    @Flag(help: "Compare the answers of two deliveries.")
    var deliveries = false

    @Flag(help: "Compare one capture's body with the body its sender signed (from the signature diagnosis).")
    var signed = false

    @Flag(help: "The diff as JSON (the document GET /api/captures/{a}/diff/{b} returns).")
    var json = false

    func validate() throws {
        if deliveries, signed { throw ValidationError("--deliveries and --signed are exclusive; pick one") }
        if signed, ids.count != 1 { throw ValidationError("--signed compares one capture: give one id") }
        if !signed, ids.count != 2 { throw ValidationError("give two ids: the old one, then the new one") }
    }

    func run() throws {
        let comparison = Comparison(store: try store.openExisting())
        if signed {
            let diffs = try comparison.signedBodies(of: ids[0])
            if json {
                try Terminal.json(diffs, pretty: true)
            } else if diffs.isEmpty {
                Terminal.line("capture \(ids[0]): no diagnosis finding names a body that was signed instead")
            } else {
                Terminal.line(diffs.map(DiffText.render).joined(separator: "\n\n"))
            }
            if diffs.isEmpty { throw ExitCode.success }
            throw ExitCode.failure
        }
        let diff =
            deliveries ? try comparison.deliveries(ids[0], ids[1]) : try comparison.captures(ids[0], ids[1])
        if json {
            try Terminal.json(diff, pretty: true)
        } else {
            let what = deliveries ? "delivery" : "capture"
            Terminal.line("--- \(what) \(ids[0])\n+++ \(what) \(ids[1])\n" + DiffText.render(diff))
        }
        if !diff.isEmpty { throw ExitCode.failure }
    }
}
