import ArgumentParser
import HookstashCore
import HookstashDelivery

/// `--allow-target`: where deliveries may go although the guard refuses it (link-local addresses, cloud metadata
/// services). Shared by `replay`, `send`, `serve` and `pull`.
struct TargetOptions: ParsableArguments {
    @Option(
        name: .customLong("allow-target"),
        help: ArgumentHelp(
            "Deliver to this range or host although it is link-local or a cloud metadata service "
                + "(169.254.0.0/16, fe80::/10, metadata.google.internal, …), refused by default; repeatable.",
            valueName: "cidr|host"))
    var allowTarget: [String] = []

    func validate() throws {
        for text in allowTarget where TargetGuard.Allowance(parsing: text) == nil {
            throw ValidationError(
                "--allow-target takes a range (169.254.0.0/16), an address or a host name, not '\(text)'")
        }
    }

    var targetGuard: TargetGuard {
        TargetGuard(allowing: allowTarget.compactMap(TargetGuard.Allowance.init(parsing:)))
    }

    /// Why a delivery was not made, as the command line says it: a refusal with the flag that lifts it, a
    /// re-signing problem with the flag that supplies what is missing.
    static func message(_ error: any Error) -> String {
        switch error {
        case let refusal as any DeliveryRefusal: message(refusal)
        case let problem as ResignProblem: Wording.commandLine.sentence(problem)
        case let failure as JSONEdit.Failure: Wording.commandLine.sentence(failure)
        case let error as HookstashError: error.message
        case let error as DeliveryError: error.message
        default: "\(error)"
        }
    }

    /// The machine-readable code of why a delivery was not made, where it has one.
    static func code(_ error: any Error) -> String? {
        switch error {
        case let refusal as any DeliveryRefusal: refusal.code
        case let problem as ResignProblem: problem.code.rawValue
        case let failure as JSONEdit.Failure: failure.code.rawValue
        case let error as DeliveryError: error.kind
        default: nil
        }
    }

    /// A refusal, with the flag that lifts it.
    static func message(_ refusal: any DeliveryRefusal) -> String {
        switch refusal {
        case let target as TargetRefusal:
            let reached =
                target.address.map { $0 == target.host ? target.host : "\(target.host) (\($0))" } ?? target.host
            let kind =
                target.reason == .linkLocal
                ? "a link-local address, where cloud metadata services answer" : "a cloud metadata service"
            return "refusing to deliver to \(reached): it is \(kind) (\(target.rule)); "
                + "pass --allow-target \(target.rule) to deliver there anyway"
        case let resign as ResignRefusal:
            return "\(resign.description); --resign-unverified re-signs it anyway"
        default:
            return refusal.description
        }
    }
}
