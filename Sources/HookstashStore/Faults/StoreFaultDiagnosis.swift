#if canImport(Glibc)
    import Glibc
#endif

/// Says why the store's files cannot be written, when SQLite only says "disk I/O error" or "readonly database".
///
/// SQLite does not keep the operating system's error for the write-ahead log, and the error code alone does not
/// tell a user what to fix. So after such a failure the files are looked at directly: a file system mounted
/// read-only or full, a file marked immutable, a file this user may not write.
enum StoreFaultDiagnosis {
    /// The first reason found for `databasePath` (and its `-wal` and `-shm` files), or nil.
    static func reason(databasePath: String) -> String? {
        let directory = databasePath.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        let holder = directory.isEmpty ? "." : directory
        var fileSystem = statvfs()
        if statvfs(holder, &fileSystem) == 0 {
            if fileSystem.f_flag & UInt(ST_RDONLY) != 0 {
                return "the file system holding \(holder) is mounted read-only"
            }
            if fileSystem.f_bavail == 0 {
                return "the file system holding \(holder) is full"
            }
        }
        for path in [databasePath, databasePath + "-wal", databasePath + "-shm"] {
            guard access(path, F_OK) == 0 else { continue }
            if isImmutable(path) {
                return "\(path) is marked immutable (chattr -i clears it)"
            }
            if access(path, W_OK) != 0 {
                return "\(path) is not writable by this user"
            }
        }
        return nil
    }

    /// FS_IOC_GETFLAGS and FS_IMMUTABLE_FL from <linux/fs.h>.
    private static func isImmutable(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var flags: CLong = 0
        guard ioctl(descriptor, 0x8008_6601, &flags) == 0 else { return false }
        return flags & 0x10 != 0
    }
}
