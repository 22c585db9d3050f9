import Foundation
import HookstashCore
import NIOCore
import NIOEmbedded
import NIOHTTP1

@testable import HookstashServer

/// A request as a parser sees it: what the differential test compares.
struct ParsedRequest: Equatable, CustomStringConvertible {
    var method: String
    var target: String
    var headers: [[String]]
    var body: [UInt8]

    var description: String { "\(method) \(target) \(headers) body=\(body.count) bytes" }
}

/// What `HTTPRequestParser` made of a stream.
struct FramerOutcome {
    var requests: [ParsedRequest] = []
    /// Each complete request's raw bytes (head, content and framing).
    var raw: [[UInt8]] = []
    var problem: HTTPRequestProblem?
    /// Every byte the parser reported, in order (heads, content, framing, pending head, unparsed), plus what it
    /// still holds: equal to the input when nothing is lost or duplicated.
    var all: [UInt8] = []
    /// A request was started and not finished (no problem).
    var incomplete = false
}

/// What llhttp (NIOHTTP1's `HTTPRequestDecoder`) made of a stream.
struct OracleOutcome {
    var requests: [ParsedRequest] = []
    var error: (any Error)?
}

enum ParserHarness {
    static let testLimits = HTTPRequestParser.Limits(maxHeadSize: 80 * 1024)

    /// Parses `stream` delivered in reads cut at `cuts`.
    static func parse(_ stream: [UInt8], cuts: [Int] = [], limits: HTTPRequestParser.Limits = testLimits)
        -> FramerOutcome
    {
        var parser = HTTPRequestParser(limits: limits)
        var outcome = FramerOutcome()
        var current: ParsedRequest?
        var currentRaw: [UInt8] = []
        var start = 0
        for end in cuts.filter({ $0 > 0 && $0 < stream.count }).sorted() + [stream.count] where end > start {
            let read = Array(stream[start..<end])
            start = end
            read.withUnsafeBytes { bytes in
                parser.consume(bytes) { event in
                    switch event {
                    case .head(let head):
                        current = ParsedRequest(
                            method: head.method, target: head.target,
                            headers: head.headers.map { [$0.name, $0.value] }, body: [])
                        currentRaw = head.bytes
                        outcome.all += head.bytes
                    case .content(let range):
                        current?.body += bytes[range]
                        currentRaw += bytes[range]
                        outcome.all += bytes[range]
                    case .framing(let range):
                        currentRaw += bytes[range]
                        outcome.all += bytes[range]
                    case .end:
                        if let request = current { outcome.requests.append(request) }
                        outcome.raw.append(currentRaw)
                        current = nil
                        currentRaw = []
                    case .invalid(let problem, let pending):
                        outcome.problem = problem
                        outcome.all += pending
                    case .unparsed(let range):
                        outcome.all += bytes[range]
                    }
                }
            }
        }
        if outcome.problem == nil {
            outcome.incomplete = parser.isReceivingHead || parser.isReceivingBody
            outcome.all += parser.stop()
        }
        return outcome
    }

    /// Methods llhttp knows; hookstash captures any token.
    static let oracleMethods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "PURGE", "COPY", "LOCK", "MKCOL",
        "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL", "REPORT",
        "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "MKCALENDAR", "LINK",
        "UNLINK", "SOURCE", "QUERY",
    ]

    static func oracle(_ stream: [UInt8]) -> OracleOutcome {
        let channel = EmbeddedChannel()
        var outcome = OracleOutcome()
        do {
            try channel.pipeline.syncOperations.addHandler(
                ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try channel.writeInbound(ByteBuffer(bytes: stream))
        } catch {
            outcome.error = error
        }
        var current: ParsedRequest?
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
            switch part {
            case .head(let head):
                // llhttp keeps trailing whitespace in a value; RFC 9110 (and the parser) leave it out.
                current = ParsedRequest(
                    method: head.method.rawValue, target: head.uri,
                    headers: head.headers.map { [$0.name, $0.value.trimmingCharacters(in: [" ", "\t"])] }, body: [])
            case .body(let buffer):
                current?.body += buffer.readableBytesView
            case .end:
                if let request = current { outcome.requests.append(request) }
                current = nil
            }
        }
        _ = try? channel.finish()
        return outcome
    }

    /// Where the parser is stricter than llhttp on purpose (README "Capture parser"): refusing is safe, and each
    /// of these is either a smuggling vector or something no webhook sender does.
    static let deliberateStrictness: [String: String] = [
        "upgradeNotSupported": "llhttp hands the connection over after Upgrade; the listener does not switch protocols",
        "unsupportedVersion": "only HTTP/1.0 and 1.1 are captured (llhttp also takes 0.9 and 2.0 request lines)",
        "invalidChunkSize": "at most 15 significant and 64 total hex digits (llhttp: up to 2^64)",
        "chunkExtensionsTooLarge": "extension bytes per request are bounded (llhttp: unbounded)",
        "framingTooLarge": "framing bytes per request are bounded (llhttp: unbounded)",
        "headTooLarge": "the head is bounded",
        "trailersTooLarge": "the trailer section is bounded",
        "duplicateContentLength": "Content-Length sent twice is refused even when equal",
        "unsupportedTransferEncoding": "chunked named twice, or a Transfer-Encoding without a coding",
        "contentLengthWithTransferEncoding":
            "Transfer-Encoding with Content-Length is refused even when its value is empty (llhttp then frames by Content-Length)",
        "invalidHeaderValue": "DEL (0x7F) in a header value is refused",
        "invalidTarget":
            "the target is origin-form, absolute-form or `*`, visible ASCII (llhttp takes a few more shapes)",
        "bareLineFeed": "a request line without a version (HTTP/0.9) ended by LF: llhttp waits, the parser refuses",
        "invalidChunkExtension": "extensions are `;name[=token|quoted-string]` without spaces or obs-text",
        "invalidContentLength": "Content-Length has at most 18 digits (llhttp: up to 2^64 - 1)",
        "connectNotSupported": "CONNECT: not a proxy",
        "http2Preface": "PRI: HTTP/2 is not captured",
        "bareCarriageReturn": "a CR not followed by LF is refused wherever it appears",
        "obsoleteLineFolding": "obs-fold is refused",
        "invalidTrailer": "trailer lines are checked as header fields",
        "invalidRequestLine": "exactly one SP between method, target and version (llhttp takes several)",
    ]

    /// The case name of `problem` (its description is a sentence).
    static func name(_ problem: HTTPRequestProblem) -> String {
        switch problem {
        case .invalidRequestLine: "invalidRequestLine"
        case .invalidTarget: "invalidTarget"
        case .invalidVersion: "invalidVersion"
        case .unsupportedVersion: "unsupportedVersion"
        case .bareLineFeed: "bareLineFeed"
        case .bareCarriageReturn: "bareCarriageReturn"
        case .obsoleteLineFolding: "obsoleteLineFolding"
        case .invalidHeaderName: "invalidHeaderName"
        case .invalidHeaderValue: "invalidHeaderValue"
        case .invalidContentLength: "invalidContentLength"
        case .duplicateContentLength: "duplicateContentLength"
        case .contentLengthWithTransferEncoding: "contentLengthWithTransferEncoding"
        case .unsupportedTransferEncoding: "unsupportedTransferEncoding"
        case .invalidChunkSize: "invalidChunkSize"
        case .invalidChunkExtension: "invalidChunkExtension"
        case .chunkExtensionsTooLarge: "chunkExtensionsTooLarge"
        case .missingChunkTerminator: "missingChunkTerminator"
        case .invalidTrailer: "invalidTrailer"
        case .trailersTooLarge: "trailersTooLarge"
        case .headTooLarge: "headTooLarge"
        case .framingTooLarge: "framingTooLarge"
        case .upgradeNotSupported: "upgradeNotSupported"
        case .connectNotSupported: "connectNotSupported"
        case .http2Preface: "http2Preface"
        }
    }

    /// nil when the parser and llhttp agree on `stream`, or differ only where the parser is stricter on purpose;
    /// else what differs. `allowedStrictness` receives the strictness used, if any.
    static func disagreement(
        _ stream: [UInt8], framer: FramerOutcome, oracle: OracleOutcome, allowedStrictness: inout String?
    ) -> String? {
        // Any token is a method for hookstash; llhttp refuses the ones it does not know. Compare up to there.
        if let index = framer.requests.firstIndex(where: { !oracleMethods.contains($0.method) }) {
            allowedStrictness = "unknown method"
            guard Array(oracle.requests.prefix(index)) == Array(framer.requests.prefix(index)) else {
                return "requests before an unknown method differ"
            }
            return nil
        }
        let count = framer.requests.count
        guard oracle.requests.count >= count else {
            return "the parser accepted \(count) requests, llhttp \(oracle.requests.count): \(framer.requests)"
        }
        guard Array(oracle.requests.prefix(count)) == framer.requests else {
            return "requests differ: parser \(framer.requests), llhttp \(oracle.requests)"
        }
        if let problem = framer.problem {
            if oracle.error != nil, oracle.requests.count == count { return nil }
            let name = name(problem)
            guard deliberateStrictness[name] != nil else {
                return "the parser refused (\(problem)) where llhttp went on: \(oracle.requests.count) requests"
            }
            allowedStrictness = name
            return nil
        }
        guard oracle.requests.count == count else {
            return "llhttp completed \(oracle.requests.count) requests, the parser \(count) and waits"
        }
        if oracle.error != nil, !framer.incomplete {
            return "llhttp refused (\(oracle.error!)) what the parser accepted"
        }
        // llhttp refused at a byte; the parser refuses at the end of that line, or times out: nothing accepted.
        if oracle.error != nil { allowedStrictness = "decides at the end of the line" }
        return nil
    }
}
