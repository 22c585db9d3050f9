import HookstashCore
import Testing

/// `ByteSize` and `DurationText.duration`: the one parser behind every size and duration flag.
@Suite struct SizeAndDurationTests {
    @Test func sizesReadEverySpellingTheFlagsAcceptAndPrintBackExactly() {
        #expect(ByteSize(parsing: "25MiB") == .mebibytes(25))
        #expect(ByteSize(parsing: "512k") == .kibibytes(512))
        #expect(ByteSize(parsing: "10 MB")?.bytes == 10_000_000)
        #expect(ByteSize(parsing: "1048576") == .mebibytes(1))
        #expect(ByteSize(parsing: "lots") == nil)
        #expect(ByteSize(parsing: "99999999999999999999") == nil)
        #expect(ByteSize(parsing: "9999999999GiB") == nil)
        #expect(ByteSize.mebibytes(25).description == "25MiB")
        #expect(ByteSize(bytes: 1000).description == "1000")
        for size in [ByteSize.kibibytes(64), .mebibytes(25), ByteSize(bytes: 3 << 30), ByteSize(bytes: 1234)] {
            #expect(ByteSize(parsing: size.description) == size)
        }
    }

    @Test func durationsNeedAUnitUnlessTheFlagNamesOne() throws {
        #expect(try DurationText.duration("2500ms") == .milliseconds(2500))
        #expect(try DurationText.duration("1h30m") == .seconds(5400))
        #expect(throws: DurationText.Problem.notADuration) { try DurationText.duration("2500") }
        #expect(try DurationText.duration("2500", bareNumberUnit: .milliseconds(1)) == .milliseconds(2500))
        #expect(try DurationText.duration("0.5", bareNumberUnit: .seconds(1)) == .milliseconds(500))
        #expect(try DurationText.duration("3s", bareNumberUnit: .milliseconds(1)) == .seconds(3))
        #expect(throws: DurationText.Problem.notADuration) {
            try DurationText.duration("-5", bareNumberUnit: .milliseconds(1))
        }
        #expect(throws: DurationText.Problem.tooLong(maximumSeconds: DurationText.maximumSeconds)) {
            try DurationText.duration("99999999999999999d")
        }
        #expect(throws: DurationText.Problem.tooLong(maximumSeconds: DurationText.maximumSeconds)) {
            try DurationText.duration("99999999999999999999", bareNumberUnit: .seconds(1))
        }
    }

    @Test func durationsPrintInTheirShortestSpellingThatReadsBack() throws {
        #expect(DurationText.format(.milliseconds(2500)) == "2500ms")
        #expect(DurationText.format(.seconds(30)) == "30s")
        #expect(DurationText.format(.seconds(300)) == "5m")
        #expect(DurationText.format(.seconds(7 * 86_400)) == "7d")
        #expect(DurationText.format(.zero) == "0s")
        for duration in [Duration.milliseconds(1), .seconds(75), .seconds(7200), .milliseconds(90_500)] {
            #expect(try DurationText.duration(DurationText.format(duration)) == duration)
        }
    }
}
