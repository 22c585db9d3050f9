// swift-tools-version:6.0
// The benchmarks, a package of their own (as SwiftNIO's are) so that `swift build` at the top compiles only the
// product and its tests. Built by `make bench`, `scripts/bench` and `replay-vs-wrk.sh`:
//   swift build -c release --package-path Benchmarks
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "hookstash-benchmarks",
    dependencies: [
        // The package in the folder above, under the name its manifest gives it (the folder may be called anything).
        .package(name: "hookstash", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Bulk replay through the delivery engine against wrk (`replay-vs-wrk.sh` runs it).
        .executableTarget(
            name: "hookstash-replay-bench",
            dependencies: [
                .product(name: "HookstashCore", package: "hookstash"),
                .product(name: "HookstashStore", package: "hookstash"),
                .product(name: "HookstashDelivery", package: "hookstash"),
            ],
            path: "ReplayBenchmark",
            swiftSettings: strict
        ),
        // The capture benchmark's second baseline: a minimal NIOHTTP1 server (`scripts/bench` runs it).
        .executableTarget(
            name: "nio-http-baseline",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "NIOBaseline",
            swiftSettings: strict
        ),
        // Server-side time of the inspector over a large store.
        .executableTarget(
            name: "inspector-benchmark",
            dependencies: [
                .product(name: "HookstashInspector", package: "hookstash"),
                .product(name: "HookstashStore", package: "hookstash"),
                .product(name: "HookstashCore", package: "hookstash"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "InspectorBenchmark",
            swiftSettings: strict
        ),
    ]
)
