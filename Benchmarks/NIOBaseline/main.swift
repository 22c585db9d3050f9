// The capture benchmark's second baseline: the least a SwiftNIO HTTP/1 server does per request (NIOHTTP1's decoder,
// a 200 with an empty body, keep-alive), with none of hookstash's work (no tee, no store). `scripts/bench`
// measures it beside nginx, so the table shows how much of the gap to nginx is the stack and how much is ours.
//
//   nio-http-baseline [PORT]     prints `listening: http://127.0.0.1:PORT/`, serves until killed
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

final class AnswerOK: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var keepAlive = true

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "0")
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 0
let group = MultiThreadedEventLoopGroup.singleton
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 512)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(AnswerOK())
        }
    }
let channel: any Channel
do {
    channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
} catch {
    FileHandle.standardError.write(Data("nio-http-baseline: cannot listen on 127.0.0.1:\(port): \(error)\n".utf8))
    exit(1)
}
// Unbuffered: the bench script waits for this line in a file.
FileHandle.standardOutput.write(Data("listening: http://127.0.0.1:\(channel.localAddress!.port!)/\n".utf8))
try channel.closeFuture.wait()
