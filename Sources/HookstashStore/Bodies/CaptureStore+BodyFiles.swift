import Foundation
import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

extension CaptureStore {
    /// Creates a new, empty body file in the bodies directory and returns its name and an open descriptor.
    public func createBodyFile(suffix: String = "body") throws -> (name: String, descriptor: Int32) {
        if !FileManager.default.fileExists(atPath: bodiesDirectory) {
            do {
                try StoreFilePermissions.createDirectory(bodiesDirectory)
                // The directory's own entry must survive a power cut too, or the files in it go with it.
                let parent = (bodiesDirectory as NSString).deletingLastPathComponent
                try sync(parent.isEmpty ? "." : parent, flags: O_RDONLY | O_DIRECTORY)
            } catch let error as HookstashError {
                throw error
            } catch {
                throw HookstashError.storeUnavailable("cannot create \(bodiesDirectory): \(error.localizedDescription)")
            }
        }
        let name = "\(UUID().uuidString.lowercased()).\(suffix)"
        let descriptor = open(
            bodiesDirectory + "/" + name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, StoreFilePermissions.fileMode)
        guard descriptor >= 0 else {
            throw HookstashError.storeUnavailable(
                "cannot create a body file in \(bodiesDirectory): \(String(cString: strerror(errno)))")
        }
        return (name, descriptor)
    }

    /// Removes body files by name; missing files are ignored.
    public func removeBodyFiles(_ names: [String]) {
        for name in names {
            unlink(bodiesDirectory + "/" + name)
        }
    }

    /// Flushes the body files of `captures` (and the directory entries naming them) to disk.
    func syncBodyFiles(of captures: [Capture]) throws {
        var synced = false
        for capture in captures {
            for body in [capture.body, capture.rawBody].compactMap({ $0 }) {
                guard case .file(let name, _) = body else { continue }
                try sync(bodiesDirectory + "/" + name, flags: O_RDONLY)
                synced = true
            }
        }
        if synced {
            try sync(bodiesDirectory, flags: O_RDONLY | O_DIRECTORY)
        }
    }

    private func sync(_ path: String, flags: Int32) throws {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HookstashError.storeUnavailable("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw HookstashError.storeUnavailable("cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes body files that no capture refers to and that were last written more than `minimumAge`
    /// ago: the leftovers of requests that were never committed (crash, client gone). Returns how many.
    @discardableResult
    public func removeOrphanBodyFiles(minimumAge: Duration = .seconds(60)) throws -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: bodiesDirectory), !names.isEmpty else {
            return 0
        }
        let referenced = try translatingErrors("list body files") {
            try pool.read { db in
                Set(
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT body_file FROM capture WHERE body_file IS NOT NULL
                            UNION SELECT raw_body_file FROM capture WHERE raw_body_file IS NOT NULL
                            """))
            }
        }
        let cutoff = Date().addingTimeInterval(-DurationText.seconds(of: minimumAge))
        var removed = 0
        for name in names where !referenced.contains(name) {
            let path = bodiesDirectory + "/" + name
            let modified =
                (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? cutoff
            if modified < cutoff {
                unlink(path)
                removed += 1
            }
        }
        return removed
    }
}
