import ArgumentParser
import HookstashCore

/// The capture filters shared by `list` and bulk `replay`.
struct FilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only captures with this method.", valueName: "method"))
    var method: String?

    @Option(help: ArgumentHelp("Only captures whose path starts with this prefix.", valueName: "prefix"))
    var path: String?

    @Option(
        help: ArgumentHelp(
            "Only captures with this signature status: valid, invalid, missing, unchecked.", valueName: "status"))
    var signature: SignatureStatus?

    @Option(
        help: ArgumentHelp("Only captures received within this duration (30s, 15m, 2h, 7d).", valueName: "duration"),
        transform: DurationValue.argument)
    var since: DurationValue?

    var filter: CaptureFilter {
        CaptureFilter(
            method: method, pathPrefix: path, signature: signature,
            since: since.map { Timestamp.now().adding(seconds: -DurationText.seconds(of: $0.duration)) })
    }
}

extension SignatureStatus: ExpressibleByArgument {}
