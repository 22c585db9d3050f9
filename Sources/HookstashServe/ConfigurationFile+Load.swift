import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

extension ConfigurationFile {
    /// Reads the file at `path` and parses it (`ConfigurationFile.parse`); `secret_env` names are looked up in
    /// `environment` (the process environment, passed in by the caller). Errors name the file.
    public static func load(
        path: String, environment: [String: String]
    ) throws(ConfigurationError) -> ConfigurationFile {
        guard let bytes = readFile(path) else {
            throw ConfigurationError.unreadable(
                "cannot read the configuration file \(path): \(String(cString: strerror(errno)))")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError.unreadable("the configuration file \(path) is not UTF-8 text")
        }
        do {
            return try parse(text) { environment[$0] }
        } catch {
            var located = error
            located.file = path
            throw located
        }
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let handle = fopen(path, "rb") else { return nil }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count > 0 { bytes += buffer[0..<count] }
            if count < buffer.count {
                if ferror(handle) != 0 { return nil }
                break
            }
        }
        return bytes
    }
}
