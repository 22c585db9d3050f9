import Foundation
import HookstashCore
import HookstashDelivery

/// What `hookstash wait-ready` checks: a ready file that parses and whose capture URL accepts a TCP connection, a
/// URL whose host and port accept one, or an inspector's `/healthz` answering 200.
public enum ReadinessProbe {
    /// Why a check did not pass yet.
    public enum Wait: Error, Sendable, Hashable {
        case readyFileMissing
        case readyFileUnreadable
        case notAccepting(url: String)
        case unhealthy(url: String, status: Int?)
    }

    /// One check of a ready file: its contents when it parses and its capture URL accepts a connection.
    public static func check(readyFile path: String) -> Result<ReadyFile.Contents, Wait> {
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(.readyFileMissing) }
        guard let contents = ReadyFile.Contents(parsing: Array(data)) else { return .failure(.readyFileUnreadable) }
        guard let target = try? DeliveryTarget(parsing: contents.captureURL), accepts(target) else {
            return .failure(.notAccepting(url: contents.captureURL))
        }
        return .success(contents)
    }

    /// Whether the target's host and port accept a TCP connection within `timeout` (nothing is sent: a capture
    /// listener records no request).
    public static func accepts(_ target: DeliveryTarget, timeout: Duration = .seconds(1)) -> Bool {
        guard let port = port(of: target) else { return false }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, String(port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            if connects(address.pointee, timeout: timeout) { return true }
            entry = address.pointee.ai_next
        }
        return false
    }

    /// The port a URL names, or its scheme's default.
    public static func port(of target: DeliveryTarget) -> Int? {
        let authority = target.authority
        let afterHost = authority.lastIndex(of: "]").map { authority[authority.index(after: $0)...] } ?? authority[...]
        if let colon = afterHost.lastIndex(of: ":") {
            return Int(afterHost[afterHost.index(after: colon)...])
        }
        return target.scheme == "https" ? 443 : 80
    }

    private static func connects(_ address: addrinfo, timeout: Duration) -> Bool {
        let descriptor = socket(address.ai_family, address.ai_socktype | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + 1)
        guard poll(&poller, 1, milliseconds) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return false }
        return error == 0
    }

    /// One GET of an inspector's `/healthz` URL: nil when it answered 200, else why not.
    public static func health(_ target: DeliveryTarget, engine: DeliveryEngine, timeout: Duration = .seconds(2)) async
        -> Wait?
    {
        let request = OutgoingRequest(
            method: "GET", target: target, requestTarget: target.requestTarget,
            headers: HeaderList([("Host", target.authority), ("Accept", "application/json")]), body: [],
            sendsBody: false)
        let outcome = await engine.deliver(
            request, options: DeliveryOptions(connectTimeout: timeout, totalTimeout: timeout))
        guard let response = outcome.response else { return .notAccepting(url: target.description) }
        return response.status == 200 ? nil : .unhealthy(url: target.description, status: response.status)
    }
}
