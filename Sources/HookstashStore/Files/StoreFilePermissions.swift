import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

/// The store's files are private to their owner, whatever the umask: they hold captured `Authorization` headers,
/// cookies and bodies. Directories hookstash creates are 0700, the database, its `-wal` and `-shm` and every body
/// file 0600.
///
/// SQLite creates the database file 0644 (less the umask) and gives `-wal` and `-shm` the mode of the database
/// file, so creating the database file first, 0600, makes all three private. A store created by an older version
/// is tightened when its owner opens it; a directory the user chose (a store at `/tmp/x.sqlite`) keeps its mode.
enum StoreFilePermissions {
    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    /// Creates `path` and any missing parents, each new one 0700 (an existing one is left as it is).
    static func createDirectory(_ path: String) throws {
        var isDirectory = false
        if exists(path, isDirectory: &isDirectory) {
            guard isDirectory else {
                throw HookstashError.storeUnavailable("cannot create the directory \(path): a file has that name")
            }
            return
        }
        let parent = parentDirectory(of: path)
        if !parent.isEmpty, parent != path { try createDirectory(parent) }
        guard mkdir(path, directoryMode) == 0 || errno == EEXIST else {
            throw HookstashError.storeUnavailable(
                "cannot create the directory \(path): \(String(cString: strerror(errno)))")
        }
        // mkdir's mode is reduced by the umask; a umask of 0 must not widen it either.
        _ = chmod(path, directoryMode)
    }

    /// Creates the database file 0600 when it does not exist yet, so that SQLite (which gives `-wal` and `-shm` the
    /// database file's mode) makes all three private.
    static func createDatabaseFile(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw HookstashError.storeUnavailable("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        _ = fchmod(descriptor, fileMode)
        close(descriptor)
    }

    /// Takes group and other permissions away from the store's files and its bodies directory, when this user owns
    /// them (a store opened by another user, such as root reading a user's store, is left alone).
    static func tighten(databasePath path: String, bodiesDirectory: String) {
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
            restrict(file, to: fileMode)
        }
        restrict(bodiesDirectory, to: directoryMode)
    }

    /// Sets `mode` on `path` when it exists, belongs to this user and allows more.
    static func restrict(_ path: String, to mode: mode_t) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_uid == geteuid(),
            (info.st_mode & S_IFMT) == S_IFREG || (info.st_mode & S_IFMT) == S_IFDIR,
            info.st_mode & 0o777 & ~mode != 0
        else { return }
        _ = chmod(path, info.st_mode & 0o777 & mode)
    }

    private static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        return true
    }

    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }
}
