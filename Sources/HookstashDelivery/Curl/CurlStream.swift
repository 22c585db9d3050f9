import CCurl
import HookstashCore

/// A long-lived GET read as it arrives (Server-Sent Events), through libcurl so that HTTPS remotes and proxies
/// work as they do for deliveries.
///
/// `run` blocks the calling thread until the stream ends; call it from a thread of its own. Not Sendable: the
/// handle stays on that thread. Freed in `deinit`.
public final class CurlStream {
    /// How the stream ended.
    public enum End: Sendable, Hashable {
        /// The server closed the stream after answering 200.
        case closed
        /// `onData` asked to stop.
        case stopped
        /// The server answered something other than 200; `body` is the start of its answer.
        case refused(status: Int, body: String)
        /// No answer, or the connection broke (refused, timeout, TLS, reset), in a sentence.
        case failed(String)
    }

    private let handle: UnsafeMutableRawPointer

    public init() throws(DeliveryError) {
        guard CurlGlobal.initialized else { throw .other("libcurl could not be initialised") }
        guard let handle = curl_easy_init() else { throw .other("libcurl could not create a handle") }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Reads `url`, sending `headers` (`Name: value`). `onOpen` is called once with the status when the first
    /// body bytes of a 200 answer arrive; `onData` with each piece of the body, returning false to stop.
    /// `idleTimeoutSeconds`: the stream is considered broken after that long without a byte.
    public func run(
        url: String, headers: [String], options: DeliveryOptions, idleTimeoutSeconds: Int,
        onOpen: @escaping () -> Void, onData: @escaping ([UInt8]) -> Bool
    ) -> End {
        curl_easy_reset(handle)
        let host = (try? DeliveryTarget(parsing: url))?.host ?? ""
        if let refusal = options.checkTarget(host: host) {
            return .failed(refusal.description)
        }
        let reader = StreamReader(onOpen: onOpen, onData: onData)
        let gate = TransferGate(url: url, host: host, options: options, followsRedirects: false)
        return perform(
            url: url, headers: headers, options: options, idle: idleTimeoutSeconds, reader: reader, gate: gate)
    }

    private func perform(
        url: String, headers: [String], options: DeliveryOptions, idle: Int, reader: StreamReader, gate: TransferGate
    ) -> End {
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in headers { headerList = curl_slist_append(headerList, header) }
        let resolveList = options.makeResolveList()
        defer { curl_slist_free_all(resolveList) }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let handle = self.handle
        let code: CURLcode = errorText.withUnsafeMutableBufferPointer { errorBytes in
            withExtendedLifetime((reader, gate)) {
                let context = Unmanaged.passUnretained(reader).toOpaque()
                var status = CURLE_OK
                func check(_ result: CURLcode) { if status == CURLE_OK { status = result } }
                check(hookstash_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBytes.baseAddress))
                check(hookstash_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                check(hookstash_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1))
                check(hookstash_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
                check(hookstash_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
                check(hookstash_curl_setopt_string(handle, CURLOPT_URL, url))
                check(options.applyConnectionSettings(to: handle, resolveList: resolveList))
                check(gate.install(on: handle))
                // No total timeout: the stream lasts as long as it is fed. A silent one is dropped instead.
                check(hookstash_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
                check(hookstash_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, idle)))
                check(hookstash_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
                check(
                    hookstash_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) {
                        data, size, count, context in
                        let length = size * count
                        guard let context else { return 0 }
                        let reader = Unmanaged<StreamReader>.fromOpaque(context).takeUnretainedValue()
                        return reader.received(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : length))
                            ? length : 0
                    })
                check(hookstash_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
                reader.handle = handle
                // The error buffer, the reader and the gate end with this closure: the handle must not keep
                // pointers to them (curl may write an error while closing its cached connection at cleanup).
                defer {
                    gate.uninstall()
                    reader.handle = nil
                    _ = hookstash_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
                    _ = hookstash_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, nil)
                    _ = hookstash_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
                    _ = hookstash_curl_setopt_slist(handle, CURLOPT_RESOLVE, nil)
                }
                guard status == CURLE_OK else { return status }
                return curl_easy_perform(handle)
            }
        }
        if code != CURLE_OK, let refused = gate.error(for: url) { return .failed(refused.message) }
        if let refused = reader.refusal { return refused }
        if reader.stopped { return .stopped }
        if code == CURLE_OK, !reader.opened {
            var status = 0
            _ = hookstash_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            if status != 200 { return .refused(status: status, body: "") }
        }
        if code == CURLE_OK { return .closed }
        let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return .failed(reason)
    }
}

/// Receives the stream's bytes on the curl thread. Held by `CurlStream.run` for the duration of the transfer.
private final class StreamReader {
    let onOpen: () -> Void
    let onData: ([UInt8]) -> Bool
    var handle: UnsafeMutableRawPointer?
    var opened = false
    var stopped = false
    var refusal: CurlStream.End?
    var refusedStatus: Int?
    var refusedBody: [UInt8] = []

    init(onOpen: @escaping () -> Void, onData: @escaping ([UInt8]) -> Bool) {
        self.onOpen = onOpen
        self.onData = onData
    }

    /// Returns false to make curl stop the transfer.
    func received(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !opened, refusedStatus == nil {
            var status = 0
            if let handle { _ = hookstash_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) }
            if status == 200 {
                opened = true
                onOpen()
            } else {
                refusedStatus = status
            }
        }
        if let refusedStatus {
            refusedBody += bytes.prefix(max(0, 512 - refusedBody.count))
            refusal = .refused(status: refusedStatus, body: String(decoding: refusedBody, as: UTF8.self))
            return true
        }
        guard onData(Array(bytes)) else {
            stopped = true
            return false
        }
        return true
    }
}
