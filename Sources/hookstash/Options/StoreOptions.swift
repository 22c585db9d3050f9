import ArgumentParser
import Foundation
import HookstashCore
import HookstashStore

/// `--db PATH`, shared by every command that reads or writes captures.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite store.",
            discussion:
                "Default: $HOOKSTASH_DB, else $XDG_DATA_HOME/hookstash/hookstash.sqlite, else ~/.local/share/hookstash/hookstash.sqlite.",
            valueName: "path"))
    var db: String?

    /// The store path after applying the environment defaults.
    var resolvedPath: String {
        if let db { return db }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["HOOKSTASH_DB"], !path.isEmpty { return path }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/hookstash/hookstash.sqlite" }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/share/hookstash/hookstash.sqlite"
    }

    /// Opens an existing store; a missing file is an error (read commands never create one).
    func openExisting() throws -> CaptureStore {
        do {
            return try CaptureStore(path: resolvedPath, mode: .mustExist)
        } catch let error as HookstashError where error.isNotFound {
            throw HookstashError.notFound("\(error.message) (start `hookstash serve` first, or pass --db)")
        }
    }

    /// Opens the store, creating it when absent.
    func openOrCreate() throws -> CaptureStore {
        try CaptureStore(path: resolvedPath, mode: .createIfMissing)
    }
}
