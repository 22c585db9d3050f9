import HookstashCore
import Testing

@Suite struct CoreValueTests {
    @Test func timestampsAreRFC3339WithMicrosecondsInUTC() {
        let time = Timestamp(microsecondsSinceEpoch: 1_795_946_400_123_456)
        #expect(time.rfc3339 == "2026-11-29T10:00:00.123456Z")
        #expect(Timestamp(rfc3339: "2026-11-29T10:00:00.123456Z") == time)
        #expect(Timestamp(rfc3339: "2026-11-29T11:00:00.123456+01:00") == time)
        #expect(Timestamp(rfc3339: "2026-11-29T10:00:00Z")?.microsecondsSinceEpoch == 1_795_946_400_000_000)
        #expect(Timestamp(rfc3339: "yesterday") == nil)
        #expect(Timestamp(microsecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
    }

    @Test func durationsAsUsersTypeThem() {
        #expect(DurationText.parse("90s") == 90)
        #expect(DurationText.parse("15m") == 900)
        #expect(DurationText.parse("1h30m") == 5400)
        #expect(DurationText.parse("7d") == 604_800)
        #expect(DurationText.parse("500ms") == 0.5)
        #expect(DurationText.parse("10") == nil)
        #expect(DurationText.parse("soon") == nil)
    }

    @Test func byteSizesAsUsersTypeThem() {
        #expect(ByteSizeText.parse("25MiB") == 26_214_400)
        #expect(ByteSizeText.parse("2GiB") == 2_147_483_648)
        #expect(ByteSizeText.parse("1048576") == 1_048_576)
        #expect(ByteSizeText.parse("10 MB") == 10_000_000)
        #expect(ByteSizeText.parse("lots") == nil)
        #expect(ByteSizeText.format(1536) == "1.5 KiB")
    }

    @Test func base64RoundTripsAndAcceptsURLSafe() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("hookstash".utf8)) == "aG9va3N0YXNo")
        #expect(Base64.decode("-_8") == [0xfb, 0xff])
        #expect(Base64.decode("not base64!") == nil)
    }

    @Test func hmacMatchesRFC4231AndComparesInConstantTime() throws {
        // RFC 4231 test case 2.
        let mac = try HMAC.code(.sha256, key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(constantTimeEquals(mac, mac))
        #expect(!constantTimeEquals(mac, Array(mac.dropLast())))
        #expect([UInt8](hexString: "00ff10") == [0, 255, 16])
        #expect([UInt8](hexString: "0g") == nil)
    }

    @Test func requestTargetPathAndQuery() {
        #expect(RequestTarget("/a/b?x=1&y").path == "/a/b")
        #expect(RequestTarget("/a/b?x=1&y").query == "x=1&y")
        #expect(RequestTarget("http://h:1/p?q").path == "/p")
        #expect(RequestTarget("http://h:1").path == "/")
        #expect(RequestTarget("*").path == "*")
        #expect(RequestTarget("/no-query").query == nil)
    }
}
