// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "hookstash",
    // Linux only (Glibc, epoll, /proc): no other platform is claimed.
    products: [
        .executable(name: "hookstash", targets: ["hookstash"]),
        // The libraries the benchmarks package (Benchmarks/Package.swift) builds on.
        .library(name: "HookstashCore", targets: ["HookstashCore"]),
        .library(name: "HookstashStore", targets: ["HookstashStore"]),
        .library(name: "HookstashDelivery", targets: ["HookstashDelivery"]),
        .library(name: "HookstashInspector", targets: ["HookstashInspector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already resolved through Hummingbird: `ServerQuiescingHelper` for the capture listener's graceful shutdown.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // C libraries, wrapped 1:1 with typed, non-variadic shims.
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Domain: captures, headers, verdicts, deliveries, digests. No I/O.
        .target(name: "HookstashCore", dependencies: ["CLibCrypto"], swiftSettings: strict),
        // SQLite store (GRDB, WAL): migrations, records, group commit, body files.
        .target(
            name: "HookstashStore",
            dependencies: [
                "HookstashCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Signature schemes per provider and mismatch diagnosis.
        .target(name: "HookstashSignatures", dependencies: ["HookstashCore", "CLibCrypto"], swiftSettings: strict),
        // libcurl delivery engine, replay and the forward queue.
        .target(
            name: "HookstashDelivery",
            dependencies: ["HookstashCore", "HookstashStore", "HookstashSignatures", "CCurl"],
            swiftSettings: strict
        ),
        // `hookstash pull`: follows a remote inspector's event stream, imports each capture, delivers it locally.
        .target(
            name: "HookstashRelay",
            dependencies: ["HookstashCore", "HookstashStore", "HookstashDelivery"],
            swiftSettings: strict
        ),
        // Capture listener (SwiftNIO) and the services `serve` runs.
        .target(
            name: "HookstashServer",
            dependencies: [
                "HookstashCore", "HookstashStore", "HookstashSignatures", "HookstashDelivery",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The inspector: live HTML pages and the JSON API (Hummingbird), safe against the captures it shows.
        .target(
            name: "HookstashInspector",
            dependencies: [
                "HookstashCore", "HookstashStore", "HookstashSignatures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The composition root of `serve`: `ServeApplication`, built from a typed `ServeConfiguration`, wires store,
        // writer, router, forwarder, replayer, listener and inspector and runs them as one service group.
        .target(
            name: "HookstashServe",
            dependencies: [
                "HookstashCore", "HookstashStore", "HookstashSignatures", "HookstashDelivery", "HookstashServer",
                "HookstashInspector",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The command line: parses, calls the libraries, prints.
        .executableTarget(
            name: "hookstash",
            dependencies: [
                "HookstashCore", "HookstashStore", "HookstashServer", "HookstashSignatures", "HookstashDelivery",
                "HookstashInspector", "HookstashRelay", "HookstashServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "HookstashCoreTests", dependencies: ["HookstashCore"], swiftSettings: strict),
        .testTarget(name: "HookstashStoreTests", dependencies: ["HookstashStore"], swiftSettings: strict),
        .testTarget(
            name: "RelayTests", dependencies: ["HookstashRelay", "HookstashStore", "HookstashCore"],
            swiftSettings: strict),
        .testTarget(
            name: "HookstashSignaturesTests",
            dependencies: ["HookstashSignatures"],
            exclude: ["Fixtures/README.md"],
            resources: [.copy("Fixtures/signature-vectors.json"), .copy("Fixtures/catalogue-vectors.json")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HookstashDeliveryTests",
            dependencies: [
                "HookstashDelivery", "HookstashStore", "HookstashCore", "HookstashSignatures", "HookstashServer",
                "HookstashTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Raw-socket clients and process runners shared by the test targets.
        .target(
            name: "HookstashTestSupport", dependencies: ["HookstashCore", "HookstashStore"],
            path: "Tests/HookstashTestSupport", swiftSettings: strict),
        .testTarget(
            name: "HookstashServerTests",
            dependencies: [
                "HookstashServer", "HookstashStore", "HookstashTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                // The test oracle for the capture parser: llhttp, as NIOHTTP1's decoder.
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Test-only server for the headless Chromium tests in Tests/browser (run.sh builds and starts it).
        .executableTarget(
            name: "hookstash-inspector-fixture",
            dependencies: [
                "HookstashInspector", "HookstashStore", "HookstashCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/browser/InspectorFixture",
            swiftSettings: strict
        ),
        .testTarget(
            name: "HookstashInspectorTests",
            dependencies: [
                "HookstashInspector", "HookstashStore", "HookstashCore", "HookstashTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // A whole `serve` in-process: real listener, store, inspector and libcurl on loopback.
        .testTarget(
            name: "HookstashServeTests",
            dependencies: [
                "HookstashServe", "HookstashServer", "HookstashStore", "HookstashCore", "HookstashTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Runs the built `hookstash` executable as a subprocess: exit codes, output, end-to-end flows.
        .testTarget(
            name: "CLITests",
            dependencies: [
                "HookstashCore", "HookstashStore", "HookstashTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
    ]
)
