import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// Signature policies built from the example configuration file verify the example payloads.
@Suite struct ConfigurationPolicyTests {
    @Test func exampleFrontPayloadsVerifyThroughTheExampleConfiguration() throws {
        let file = try ConfigurationFile.parse(
            try String(
                contentsOfFile: TestRequests.packageRoot.appendingPathComponent("Examples/hookstash.toml").path,
                encoding: .utf8))
        let rule = try TestRequests.example("Examples/front/rule-event-preview.json")
        let sync = try TestRequests.example("Examples/front/app-sync-challenge.json")

        let ruleEndpoint = try #require(file.endpoint(forPath: "/webhooks/front"))
        let ruleRequest = try TestRequests.signed(
            .front, secret: "front_example_secret", body: rule, url: "http://127.0.0.1:8080/webhooks/front")
        let ruleVerdict = SignatureVerifier.verify(
            ruleRequest, policy: SignaturePolicy(endpoint: ruleEndpoint, in: file))
        #expect(ruleVerdict.status == .valid)

        // The app endpoint accepts the previous secret during a rotation, and says which one matched.
        let appEndpoint = try #require(file.endpoint(forPath: "/webhooks/front/app"))
        let syncRequest = try TestRequests.signed(
            .frontApp, secret: "front_app_previous_secret", body: sync, url: "http://127.0.0.1:8080/webhooks/front/app")
        let syncVerdict = SignatureVerifier.verify(
            syncRequest, policy: SignaturePolicy(endpoint: appEndpoint, in: file))
        #expect(syncVerdict.status == .valid)
        #expect(syncVerdict.matchedSecret == 2)

        // A rule payload sent to the app endpoint, signed with the rule secret: the diagnosis names the other endpoint.
        let misrouted = try TestRequests.signed(
            .frontApp, secret: "front_example_secret", body: sync, url: "http://127.0.0.1:8080/webhooks/front/app")
        let verdict = SignatureVerifier.verify(misrouted, policy: SignaturePolicy(endpoint: appEndpoint, in: file))
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.secretOfOtherEndpoint, "matches the secret of endpoint front-rules"))
    }
}
