import CCurl

extension DeliveryOptions {
    /// Proxy (none unless asked: libcurl would otherwise honour `http_proxy` from the environment), TLS checking
    /// and the connect timeout, as every hookstash transfer sets them. Returns the first failing code.
    func applyConnectionSettings(to handle: UnsafeMutableRawPointer) -> CURLcode {
        var status = CURLE_OK
        func check(_ result: CURLcode) { if status == CURLE_OK { status = result } }
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
        check(hookstash_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMs))
        return status
    }
}
