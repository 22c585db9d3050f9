import CCurl
import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

extension DeliveryOptions {
    /// Protocols, proxy (none unless asked: libcurl would otherwise honour `http_proxy` from the environment), TLS
    /// checking, fixed addresses and the connect timeout, as every hookstash transfer sets them. `resolveList` is
    /// `makeResolveList()`, kept alive by the caller until the transfer ends. Returns the first failing code.
    func applyConnectionSettings(
        to handle: UnsafeMutableRawPointer, resolveList: UnsafeMutablePointer<curl_slist>?
    ) -> CURLcode {
        var status = CURLE_OK
        func check(_ result: CURLcode) { if status == CURLE_OK { status = result } }
        // HTTP only, on the first request and on every redirect (curl would follow to ftp:// and others).
        check(hookstash_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(hookstash_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        if let proxy {
            check(hookstash_curl_setopt_string(handle, CURLOPT_PROXY, proxy))
        } else {
            check(hookstash_curl_setopt_string(handle, CURLOPT_NOPROXY, "*"))
            check(hookstash_curl_setopt_string(handle, CURLOPT_PROXY, ""))
        }
        if insecure {
            check(hookstash_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0))
            check(hookstash_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0))
        }
        if let resolveList {
            check(hookstash_curl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList))
        }
        check(hookstash_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMs))
        return status
    }

    /// `resolve` as a curl list (nil when empty); free it with `curl_slist_free_all` after the transfer.
    func makeResolveList() -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for entry in resolve { list = curl_slist_append(list, entry) }
        return list
    }

    /// The guard's decision on `host` before anything is resolved by libcurl: a metadata service's name or a
    /// refused address literal. Through a proxy (which resolves the name itself, where the guard cannot see it),
    /// the name is also resolved here and every address it has is checked.
    public func checkTarget(host: String) -> TargetRefusal? {
        if let refusal = targetGuard.check(host: host) { return refusal }
        guard proxy != nil, IPAddress(host) == nil else { return nil }
        for address in Self.resolve(host) {
            if let refusal = targetGuard.check(address: address, host: host) { return refusal }
        }
        return nil
    }

    /// The addresses `host` resolves to here (empty when it does not).
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &results) == 0 else { return [] }
        defer { freeaddrinfo(results) }
        var addresses: [IPAddress] = []
        var next = results
        while let entry = next {
            if let address = entry.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin_addr
                        addresses += [withUnsafeBytes(of: &value) { IPAddress(bytes: Array($0)) }].compactMap { $0 }
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var value = pointer.pointee.sin6_addr
                        addresses += [withUnsafeBytes(of: &value) { IPAddress(bytes: Array($0)) }].compactMap { $0 }
                    }
                default:
                    break
                }
            }
            next = entry.pointee.ai_next
        }
        return addresses
    }
}
