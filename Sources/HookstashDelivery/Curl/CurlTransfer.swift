import CCurl
import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

/// `curl_global_init` must run once, before any thread uses curl. A static let's initialiser runs exactly once.
enum CurlGlobal {
    static let initialized: Bool = hookstash_curl_global_init() == CURLE_OK
}

/// One exchange on a libcurl easy handle driven by `DeliveryEngine`'s multi handle: `init` sets every option,
/// the engine adds the handle to its multi handle, and `finish` reads what happened once libcurl says it is done.
///
/// Owns what libcurl points at during the transfer (body, header lists, error buffer, recorder, gate) until
/// `finish`, which resets the handle so that no pointer to them outlives this object. The handle itself belongs to
/// the engine (it is reused; its connection stays in the multi handle's cache). Not Sendable: lives on the
/// engine's thread.
final class CurlTransfer {
    let handle: UnsafeMutableRawPointer
    let request: OutgoingRequest
    let options: DeliveryOptions
    let startedAt: Timestamp
    /// The first option libcurl refused; the transfer is not started when it is not `CURLE_OK`.
    private(set) var setupStatus = CURLE_OK
    private let recorder: ExchangeRecorder
    private let gate: TransferGate
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let resolveList: UnsafeMutablePointer<curl_slist>?
    /// POSTFIELDS is not copied by libcurl and must not be NULL for an empty body: one buffer per transfer.
    private let body: UnsafeMutableRawBufferPointer
    private let errorText: UnsafeMutablePointer<CChar>

    init(handle: UnsafeMutableRawPointer, request: OutgoingRequest, options: DeliveryOptions, startedAt: Timestamp) {
        self.handle = handle
        self.request = request
        self.options = options
        self.startedAt = startedAt
        self.recorder = ExchangeRecorder(bodyLimit: options.responseBodyLimit)
        self.gate = TransferGate(
            url: request.target.connectionURL, host: request.target.host, options: options,
            followsRedirects: options.followRedirects)
        self.resolveList = options.makeResolveList()
        let body = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, request.body.count), alignment: 1)
        if !request.body.isEmpty {
            request.body.withUnsafeBytes { body.copyMemory(from: $0) }
        }
        self.body = body
        self.errorText = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        for field in request.headers {
            // `Name:` with nothing after it would make curl drop the header; `Name;` sends it with an empty value.
            headerList = curl_slist_append(
                headerList, field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        // Headers curl would add on its own: suppressed unless the request has them.
        for name in ["Accept", "Expect", "Content-Type", "Host"] where !request.headers.contains(name) {
            headerList = curl_slist_append(headerList, "\(name):")
        }
        curl_easy_reset(handle)
        setupStatus = configure()
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_slist_free_all(resolveList)
        body.deallocate()
        errorText.deallocate()
    }

    private func configure() -> CURLcode {
        let context = Unmanaged.passUnretained(recorder).toOpaque()
        var status = CURLE_OK
        func check(_ result: CURLcode) { if status == CURLE_OK { status = result } }
        check(hookstash_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorText))
        check(hookstash_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(hookstash_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1))
        check(hookstash_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1))
        check(hookstash_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
        if options.followRedirects {
            // The request-target must come from the URL, or curl would send it to every redirect.
            let base = request.target.connectionURL.dropLast()
            let url = request.requestTarget.hasPrefix("/") ? base + request.requestTarget : base + "/"
            check(hookstash_curl_setopt_string(handle, CURLOPT_URL, String(url)))
            check(hookstash_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
            check(hookstash_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 10))
            // Send the same method and body to the new location, whatever the 3xx status.
            // CURL_REDIR_POST_ALL (301, 302 and 303), a macro Swift does not import.
            check(hookstash_curl_setopt_long(handle, CURLOPT_POSTREDIR, 7))
        } else {
            check(hookstash_curl_setopt_string(handle, CURLOPT_URL, request.target.connectionURL))
            check(hookstash_curl_setopt_string(handle, CURLOPT_REQUEST_TARGET, request.requestTarget))
        }
        check(options.applyConnectionSettings(to: handle, resolveList: resolveList))
        check(gate.install(on: handle))
        check(hookstash_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, options.totalTimeoutMs))
        check(hookstash_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
        if request.method == "HEAD" {
            check(hookstash_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        }
        if request.sendsBody {
            check(hookstash_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, body.baseAddress))
            check(hookstash_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
        }
        check(hookstash_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        check(
            hookstash_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let length = size * count
                if let data, let context {
                    Unmanaged<ExchangeRecorder>.fromOpaque(context).takeUnretainedValue()
                        .headerLine(UnsafeRawBufferPointer(start: data, count: length))
                }
                return length
            })
        check(hookstash_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        check(
            hookstash_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let length = size * count
                if let data, let context {
                    Unmanaged<ExchangeRecorder>.fromOpaque(context).takeUnretainedValue()
                        .bodyBytes(UnsafeRawBufferPointer(start: data, count: length))
                }
                return length
            })
        check(hookstash_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        // The debug callback sees the header block exactly as written to the socket.
        check(
            hookstash_curl_setopt_debug_callback(handle) { _, type, data, size, context in
                if type == CURLINFO_HEADER_OUT, let data, let context {
                    Unmanaged<ExchangeRecorder>.fromOpaque(context).takeUnretainedValue()
                        .sentHead(UnsafeRawBufferPointer(start: data, count: size))
                }
                return 0
            })
        check(hookstash_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, context))
        check(hookstash_curl_setopt_long(handle, CURLOPT_VERBOSE, 1))
        return status
    }

    /// What happened, once the transfer ended with `code` (removed from the multi handle, or never started).
    /// Resets the handle: none of its pointers to this transfer's buffers survive.
    func finish(_ code: CURLcode) -> DeliveryOutcome {
        var connectTime: curl_off_t = 0
        var firstByteTime: curl_off_t = 0
        var totalTime: curl_off_t = 0
        var connects: Int = 0
        var responseCode: Int = 0
        var osErrno: Int = 0
        _ = hookstash_curl_getinfo_off(handle, CURLINFO_CONNECT_TIME_T, &connectTime)
        _ = hookstash_curl_getinfo_off(handle, CURLINFO_STARTTRANSFER_TIME_T, &firstByteTime)
        _ = hookstash_curl_getinfo_off(handle, CURLINFO_TOTAL_TIME_T, &totalTime)
        _ = hookstash_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        _ = hookstash_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        _ = hookstash_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        let detail = String(cString: errorText)
        gate.uninstall()
        curl_easy_reset(handle)

        let timings = DeliveryOutcome.Timings(
            connectMs: Double(connectTime) / 1000, firstByteMs: Double(firstByteTime) / 1000,
            totalMs: Double(totalTime) / 1000)
        var response: DeliveryOutcome.Response?
        if responseCode > 0 || recorder.status > 0 {
            response = DeliveryOutcome.Response(
                status: responseCode > 0 ? responseCode : recorder.status, statusLine: recorder.statusLine,
                headers: HeaderList(recorder.headers), interimStatuses: recorder.interimStatuses, body: recorder.body,
                bodySize: recorder.bodySize, truncated: recorder.bodySize > Int64(recorder.body.count))
        }
        var error: DeliveryError?
        if code != CURLE_OK, let refused = gate.error(for: request.url) {
            error = refused
        } else if code != CURLE_OK {
            error = Self.error(
                code, detail: detail, osErrno: Int32(osErrno), request: request, options: options,
                connected: connectTime > 0 || responseCode > 0)
        }
        return DeliveryOutcome(
            requestHead: recorder.requestHead, response: response, timings: timings, newConnection: connects > 0,
            error: error, startedAt: startedAt)
    }

    /// A curl failure as a sentence naming the target.
    static func error(
        _ code: CURLcode, detail: String, osErrno: Int32, request: OutgoingRequest, options: DeliveryOptions,
        connected: Bool
    ) -> DeliveryError {
        let target = request.target.authority
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_COULDNT_CONNECT:
            if osErrno == ECONNREFUSED {
                return .refused("connection refused by \(target) (nothing is listening there)")
            }
            let cause = osErrno != 0 ? String(cString: strerror(osErrno)).lowercased() : reason
            return .refused("could not connect to \(target): \(cause)")
        case CURLE_OPERATION_TIMEDOUT:
            if !connected {
                let limit = min(options.connectTimeoutMs, options.totalTimeoutMs)
                return .timedOut("no connection to \(target) within \(limit) ms (connect timeout)")
            }
            return .timedOut("no complete answer from \(target) within \(options.totalTimeoutMs) ms (timeout)")
        case CURLE_COULDNT_RESOLVE_HOST:
            return .dns("the host name in \(request.target) does not resolve: \(reason)")
        case CURLE_COULDNT_RESOLVE_PROXY:
            return .dns("the proxy host name does not resolve: \(reason)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE:
            return .tls(
                "TLS with \(target) failed: \(reason) (the certificate check can be turned off for a self-signed target)"
            )
        case CURLE_GOT_NOTHING:
            return .connectionLost("\(target) closed the connection without answering")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE:
            return .connectionLost("the connection to \(target) broke: \(reason)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidTarget("\(request.target) cannot be used as a target: \(reason)")
        default:
            return .other("delivery to \(target) failed: \(reason)")
        }
    }
}

/// Collects what the curl callbacks report during one exchange. Lives on the handle's thread.
private final class ExchangeRecorder {
    let bodyLimit: Int
    var requestHead: [UInt8] = []
    private var headComplete = false
    var statusLine = ""
    var status = 0
    var headers: [HeaderList.Field] = []
    var interimStatuses: [Int] = []
    var body: [UInt8] = []
    var bodySize: Int64 = 0

    init(bodyLimit: Int) {
        self.bodyLimit = bodyLimit
    }

    /// One header block written to the socket, possibly in pieces. A new block (a retry on a fresh connection,
    /// a followed redirect) replaces the previous one.
    func sentHead(_ bytes: UnsafeRawBufferPointer) {
        if headComplete {
            requestHead = []
            headComplete = false
        }
        requestHead.append(contentsOf: bytes)
        headComplete = requestHead.count >= 4 && requestHead.suffix(4).elementsEqual([13, 10, 13, 10])
    }

    /// One raw header line, CRLF included. Every status line starts a new header block: 1xx interim answers
    /// and followed redirects are replaced by the final answer.
    func headerLine(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 13 || bytes[end - 1] == 10 { end -= 1 }
        let line = Substring(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self))
        if line.hasPrefix("HTTP/") {
            if (100..<200).contains(status) { interimStatuses.append(status) }
            statusLine = String(line)
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
            body = []
            bodySize = 0
            return
        }
        guard !line.isEmpty else { return }
        if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += " " + line.trimmingSpaces()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        headers.append(
            .init(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingSpaces()))
    }

    func bodyBytes(_ bytes: UnsafeRawBufferPointer) {
        bodySize += Int64(bytes.count)
        let room = bodyLimit - body.count
        if room > 0 {
            body.append(contentsOf: bytes.prefix(room))
        }
    }
}
