import HookstashCore
import HookstashDelivery
import HookstashSignatures
import HookstashStore

/// Re-delivers captures on request while `serve` runs: the inspector's `POST /api/captures/{id}/replay` and its
/// detail page's form. Re-signing uses the secret and scheme configured for the capture's route.
///
/// `ServeApplication` gives it to the inspector as its replay hook, and calls `shutdown()` when it stops.
public final class CaptureReplayer: Sendable {
    public let router: EndpointRouter
    private let replayer: Replayer
    private let options: DeliveryOptions

    /// - Parameter options: how each replay is delivered; its `targetGuard` decides where replays may go.
    public init(
        store: CaptureStore, router: EndpointRouter, concurrency: Int = 4, options: DeliveryOptions = DeliveryOptions()
    ) {
        self.router = router
        self.replayer = Replayer(store: store, engine: DeliveryEngine(maxTransfers: concurrency))
        self.options = options
    }

    /// Delivers capture `captureID` to `to` and returns the recorded delivery (with the request as sent and the
    /// answer). Throws `HookstashError`: `notFound` for an unknown capture, `invalidInput` for a target, header or
    /// re-signing request the user must fix; a `DeliveryRefusal` when a guard refused it: `TargetRefusal` (the
    /// target is link-local or a metadata service), `ResignRefusal` (re-signing a capture whose signature is not
    /// valid, without `resignUnverified`). A delivery that got no answer is returned with its error, not thrown.
    public func replay(
        captureID: Int64, to: String, resign: Bool, resignUnverified: Bool = false, headers: [[String]] = []
    ) async throws -> DeliveryRecord {
        var extraHeaders: [(String, String)] = []
        for pair in headers {
            guard pair.count == 2 else { throw HookstashError.invalidInput("each header is a [name, value] pair") }
            do {
                let parsed = try ReplaySettings.parseHeader("\(pair[0]): \(pair[1])")
                extraHeaders.append((parsed.name, parsed.value ?? ""))
            } catch {
                throw HookstashError.invalidInput(error.message)
            }
        }
        let router = self.router
        var resignWith: (@Sendable (Capture) throws -> Resigner)?
        if resign {
            resignWith = { @Sendable capture in
                var resigner = try Self.resigner(for: capture, router: router)
                if resignUnverified { resigner.requirement = .none }
                return resigner
            }
        }
        do {
            return try await replayer.replayOne(
                id: captureID, to: to, headers: extraHeaders, resignWith: resignWith, options: options)
        } catch let error as DeliveryError {
            throw HookstashError.invalidInput(error.message)
        }
    }

    /// The configured secret and scheme of the capture's route.
    static func resigner(for capture: Capture, router: EndpointRouter) throws -> Resigner {
        let route = router.route(forPath: capture.target.path)
        guard let secret = route.policy.secrets.first else {
            throw ResignProblem(.secretMissing, captureID: capture.id, path: capture.target.path)
        }
        var scheme: SignatureScheme?
        if case .scheme(let named) = route.policy.scheme { scheme = named }
        return Resigner(scheme: scheme, secret: secret)
    }

    /// Stops the delivery threads.
    public func shutdown() {
        replayer.engine.shutdown()
    }
}
