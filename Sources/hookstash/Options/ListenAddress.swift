import ArgumentParser

/// `HOST:PORT` as given to `--listen` and `--inspect` (`[::1]:8080` for IPv6, a bare `8080` means 127.0.0.1).
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible, Sendable {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        var text = Substring(argument)
        var host = "127.0.0.1"
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            text = text[text.index(after: close)...]
            guard text.hasPrefix(":") else { return nil }
            text = text.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            text = text[text.index(after: colon)...]
            if host.isEmpty { host = "0.0.0.0" }
        }
        guard let port = Int(text), (0...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static var defaultValueDescription: String { "127.0.0.1:8080" }
}
