import Dispatch
import Foundation
import HookstashCore
import Synchronization
import Testing

@testable import HookstashStore

@Suite struct CaptureStoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "hookstash-store-\(UUID().uuidString)"
    ).path

    func capture(
        _ method: String, _ target: String, body: String = "", at micros: Int64 = 1_000_000,
        signature: SignatureStatus? = nil
    )
        -> Capture
    {
        Capture(
            receivedAt: Timestamp(microsecondsSinceEpoch: micros), remoteAddress: "127.0.0.1:1", method: method,
            target: RequestTarget(target), httpVersion: "HTTP/1.1", headers: HeaderList([("A", "1"), ("a", "2")]),
            body: .inline(Array(body.utf8)), bodySHA256: DigestHasher.digest(.sha256, Array(body.utf8)).hexString,
            rawHead: Array("\(method) \(target) HTTP/1.1\r\nA: 1\r\na: 2\r\n\r\n".utf8), responseStatus: 200,
            signature: signature.map { SignatureVerdict(scheme: "front", status: $0) })
    }

    @Test func capturesRoundTripWithEveryField() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        var original = capture("POST", "/p?q=1", body: "{}")
        original.rawBody = .inline(Array("2\r\n{}\r\n0\r\n\r\n".utf8))
        original.malformed = true
        original.problem = CaptureProblem(.bodyTooLarge, limit: 1024, announced: 4096)
        let ids = try store.insert([original])
        let stored = try store.requireCapture(id: ids[0])
        original.id = ids[0]
        #expect(stored == original)
        #expect(try store.rawMessage(of: stored) == original.rawHead + Array("2\r\n{}\r\n0\r\n\r\n".utf8))
    }

    /// An answered capture must survive a power cut: the connection that commits captures syncs the log on every
    /// commit. (GRDB sets NORMAL when it enables WAL, after the configuration's own setup ran.)
    @Test(arguments: [CaptureStore.Checkpoints.background, .automatic])
    func everyCommitIsSynced(checkpoints: CaptureStore.Checkpoints) throws {
        for _ in 0..<2 {  // a new file, then an existing one
            let store = try CaptureStore(path: directory + "/s.sqlite", checkpoints: checkpoints)
            #expect(try store.writerSynchronousLevel() == 2)
            _ = try store.insert([capture("POST", "/")])
        }
    }

    @Test func filtersAndPagination() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        _ = try store.insert([
            capture("POST", "/front/a", at: 1_000_000, signature: .valid),
            capture("GET", "/github/b", at: 2_000_000, signature: .invalid),
            capture("POST", "/front/c", at: 3_000_000),
        ])
        #expect(try store.summaries(limit: 10).map(\.target.raw) == ["/front/c", "/github/b", "/front/a"])
        #expect(try store.summaries(CaptureFilter(method: "post"), limit: 10).count == 2)
        #expect(try store.summaries(CaptureFilter(pathPrefix: "/front"), limit: 10).map(\.id) == [3, 1])
        #expect(try store.summaries(CaptureFilter(signature: .invalid), limit: 10).map(\.id) == [2])
        #expect(try store.summaries(CaptureFilter(signature: .unchecked), limit: 10).map(\.id) == [3])
        #expect(
            try store.summaries(CaptureFilter(since: Timestamp(microsecondsSinceEpoch: 2_000_000)), limit: 10).count
                == 2)
        #expect(try store.summaries(CaptureFilter(beforeID: 3), limit: 1).map(\.id) == [2])
        #expect(try store.ids(CaptureFilter(afterID: 1)) == [2, 3])
    }

    @Test func textSearchTakesWildcardsLiterallyByBytes() throws {
        let store = try CaptureStore(path: directory + "/q.sqlite")
        _ = try store.insert([
            capture("POST", "/a", body: "100% sure"),
            capture("POST", "/b", body: "100 percent sure"),
            capture("POST", "/c", body: "snake_case"),
            capture("POST", "/d", body: "snakeXcase"),
            capture("POST", "/e", body: "%\u{301}x"),
            capture("POST", "/f", body: "a\u{301}x"),
        ])
        #expect(try store.summaries(CaptureFilter(text: "100%"), limit: 10).map(\.id) == [1])
        #expect(try store.summaries(CaptureFilter(text: "e_c"), limit: 10).map(\.id) == [3])
        // `%` with a combining mark is one Character: escaped by bytes, it stays a literal percent sign.
        #expect(try store.summaries(CaptureFilter(text: "%\u{301}x"), limit: 10).map(\.id) == [5])
        #expect(CaptureStore.likeEscaped("%\u{301}_") == "\\%\u{301}\\_")
    }

    @Test func pruneKeepsTheNewestAndRemovesBodyFiles() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        let sink = BodySink(store: store, spillThreshold: 4)
        sink.append(Array("a body larger than four bytes".utf8))
        var big = capture("POST", "/big")
        big.body = try sink.finish()
        let path = try #require(store.filePath(of: big.body))
        _ = try store.insert([big, capture("GET", "/1", at: 5_000_000), capture("GET", "/2", at: 6_000_000)])
        #expect(try store.bytes(of: big.body) == Array("a body larger than four bytes".utf8))
        #expect(try store.prune(keepAtMost: 2, receivedBefore: nil) == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try store.summaries(limit: 10).map(\.target.raw) == ["/2", "/1"])
        #expect(try store.prune(keepAtMost: nil, receivedBefore: Timestamp(microsecondsSinceEpoch: 5_500_000)) == 1)
        #expect(try store.count() == 1)
    }

    @Test func aSecondConnectionSeesCommitsAtOnce() throws {
        let server = try CaptureStore(path: directory + "/s.sqlite")
        let cli = try CaptureStore(path: directory + "/s.sqlite", mode: .mustExist)
        #expect(try cli.latestID() == 0)
        _ = try server.insert([capture("POST", "/x")])
        #expect(try cli.latestID() == 1)
        #expect(try cli.integrityCheck() == "ok")
    }

    /// 200 captures submitted while the first transaction is still open are committed in a handful of transactions
    /// (the first, and one for everything that waited), not one each. The first batch's `committed` callback, which
    /// runs on the writer's thread after its transaction, holds the writer until all 200 are submitted, so the
    /// count does not depend on timing.
    @Test func writerCommitsConcurrentCapturesInBatches() async throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        let submitted = Mutex(0)
        let allSubmitted = DispatchSemaphore(value: 0)
        let batchSizes = Mutex<[Int]>([])
        let writer = CaptureWriter(
            store: store,
            prepare: { _ in
                if submitted.withLock({ count in
                    count += 1
                    return count == 200
                }) {
                    allSubmitted.signal()
                }
            },
            committed: { batch in
                let first = batchSizes.withLock { sizes in
                    sizes.append(batch.count)
                    return sizes.count == 1
                }
                if first { _ = allSubmitted.wait(timeout: .now() + 30) }
            })
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<200 {
                group.addTask { try await writer.submit(capture("POST", "/w/\(index)")) }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 200)
        #expect(try store.count() == 200)
        let sizes = batchSizes.withLock { $0 }
        #expect(sizes.reduce(0, +) == 200)
        // The first, one for everything that waited, and at most one each for the captures whose `prepare` had
        // run but which were not yet queued when the first transaction was released (one per pool thread).
        #expect(
            sizes.count <= 2 + ProcessInfo.processInfo.activeProcessorCount,
            "200 captures took \(sizes.count) transactions: \(sizes)")
    }

    /// With background checkpoints the database file holds recent captures on its own shortly after they are
    /// committed (a copy of it without its `-wal` file has them); with SQLite's automatic checkpoint a few
    /// captures stay in the log until it reaches 1,000 pages.
    @Test(arguments: [CaptureStore.Checkpoints.background, .automatic])
    func backgroundCheckpointsCopyCommitsIntoTheDatabaseFile(_ checkpoints: CaptureStore.Checkpoints) async throws {
        let path = directory + "/s.sqlite"
        let store = try CaptureStore(path: path, checkpoints: checkpoints)
        let writer = CaptureWriter(store: store)
        for index in 0..<50 {
            _ = try await writer.submit(capture("POST", "/c/\(index)", body: "{}"))
        }
        /// Nil when the copy was taken while a checkpoint was writing the file.
        func capturesInTheDatabaseFileAlone() throws -> Int? {
            let copy = directory + "/copy-\(UUID().uuidString).sqlite"
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            return try? CaptureStore(path: copy, mode: .mustExist).count()
        }
        var inFile = try capturesInTheDatabaseFileAlone()
        for _ in 0..<40 where inFile != 50 && checkpoints == .background {
            try await Task.sleep(for: .milliseconds(50))
            inFile = try capturesInTheDatabaseFileAlone()
        }
        #expect(inFile == (checkpoints == .background ? 50 : 0))
        #expect(try store.count() == 50)
    }

    @Test func orphanBodyFilesAreSwept() throws {
        let store = try CaptureStore(path: directory + "/s.sqlite")
        let sink = BodySink(store: store, spillThreshold: 0)
        sink.append([1, 2, 3])
        let orphan = try sink.finish()
        let path = try #require(store.filePath(of: orphan))
        #expect(try store.removeOrphanBodyFiles(minimumAge: .zero) == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
