import CCurl
import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

/// Decides, on libcurl's thread and for one transfer, whether each connection may be opened and each request sent.
///
/// - Every socket libcurl opens goes through `CURLOPT_OPENSOCKETFUNCTION`: the address it is about to connect to
///   (after resolution, on every connection attempt and every redirect) is checked against the `TargetGuard`, so
///   a name that resolves to a metadata address, first or second time, is refused before a byte is sent. Through
///   a proxy the proxy's address is what is connected to; the target's name and its local resolution are checked
///   instead before the transfer (`DeliveryOptions.check(host:)`).
/// - With redirects followed, `CURLOPT_PREREQFUNCTION` stops a request to another scheme, host or port: a
///   redirect must not carry the captured or re-signed signature headers to a host the user did not name.
///
/// Lives as long as the transfer; the handle's pointers to it are cleared when `perform` returns.
final class TransferGate {
    private let targetGuard: TargetGuard
    private let host: String
    private let checksAddresses: Bool
    private let origin: Origin?
    private var handle: UnsafeMutableRawPointer?
    /// Set when a connection was refused.
    private(set) var refusal: TargetRefusal?
    /// Set when a request to another origin was stopped: the URL it would have gone to.
    private(set) var stoppedRedirect: String?

    /// - Parameters:
    ///   - url: the URL the transfer starts with.
    ///   - followsRedirects: check that every request stays on the origin of `url`.
    init(url: String, host: String, options: DeliveryOptions, followsRedirects: Bool) {
        self.targetGuard = options.targetGuard
        self.host = host
        self.checksAddresses = options.proxy == nil
        self.origin = followsRedirects ? Origin(url: url) : nil
    }

    /// Installs the callbacks on `handle`; returns the first failing code.
    func install(on handle: UnsafeMutableRawPointer) -> CURLcode {
        self.handle = handle
        let context = Unmanaged.passUnretained(self).toOpaque()
        var status = CURLE_OK
        func check(_ result: CURLcode) { if status == CURLE_OK { status = result } }
        check(
            hookstash_curl_setopt_opensocket_callback(handle) { context, _, address in
                guard let context, let address else { return CURL_SOCKET_BAD }
                return Unmanaged<TransferGate>.fromOpaque(context).takeUnretainedValue().openSocket(address)
            })
        check(hookstash_curl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, context))
        if origin != nil {
            check(
                hookstash_curl_setopt_prereq_callback(handle) { context, _, _, _, _ in
                    guard let context else { return 1 }
                    return Unmanaged<TransferGate>.fromOpaque(context).takeUnretainedValue().mayRequest() ? 0 : 1
                })
            check(hookstash_curl_setopt_pointer(handle, CURLOPT_PREREQDATA, context))
        }
        return status
    }

    /// Clears the handle's pointers to this gate (call before it is released).
    func uninstall() {
        guard let handle else { return }
        _ = hookstash_curl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, nil)
        _ = hookstash_curl_setopt_opensocket_callback(handle, nil)
        if origin != nil {
            _ = hookstash_curl_setopt_pointer(handle, CURLOPT_PREREQDATA, nil)
            _ = hookstash_curl_setopt_prereq_callback(handle, nil)
        }
        self.handle = nil
    }

    /// The error to report instead of curl's, when this gate stopped the transfer.
    func error(for request: String) -> DeliveryError? {
        if let refusal { return .targetRefused(refusal) }
        if let stoppedRedirect {
            return .redirectNotFollowed(
                "\(request) redirected to \(stoppedRedirect), on another scheme, host or port: redirects are followed "
                    + "only on the target's own, so that its headers (signatures included) go nowhere else")
        }
        return nil
    }

    private func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        if checksAddresses {
            var bytes = [UInt8](repeating: 0, count: 16)
            let length = Int(hookstash_curl_sockaddr_ip(address, &bytes))
            guard let ip = IPAddress(bytes: Array(bytes.prefix(length))) else { return CURL_SOCKET_BAD }
            if let refused = targetGuard.check(address: ip, host: host) {
                if refusal == nil { refusal = refused }
                return CURL_SOCKET_BAD
            }
        }
        return hookstash_curl_open_socket(address)
    }

    private func mayRequest() -> Bool {
        guard let origin, let handle else { return true }
        var url: UnsafePointer<CChar>?
        guard hookstash_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK, let url else {
            return false
        }
        let current = String(cString: url)
        guard Origin(url: current) == origin else {
            stoppedRedirect = current
            return false
        }
        return true
    }
}

/// Scheme, host and port of a URL, as libcurl's URL parser normalises them (default port filled in).
struct Origin: Hashable {
    var scheme: String
    var host: String
    var port: String

    init?(url: String) {
        guard let parsed = curl_url() else { return nil }
        defer { curl_url_cleanup(parsed) }
        guard curl_url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart, _ flags: UInt32) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(parsed, which, &value, flags) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME, 0), let host = part(CURLUPART_HOST, 0),
            let port = part(CURLUPART_PORT, UInt32(CURLU_DEFAULT_PORT))
        else { return nil }
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
    }
}
