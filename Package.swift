// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "HubDiffer",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hubdiffer", targets: ["HubDiffer"]),
        .library(name: "FeedParsing", targets: ["FeedParsing"]),
        .library(name: "ShardRouter", targets: ["ShardRouter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The C boundary: one system library per C dependency, each a modulemap plus a shim.h
        // of static inline, `hd_`-prefixed helpers for what Swift cannot call directly.
        .systemLibrary(
            name: "CXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CXXHash", pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]),

        .systemLibrary(name: "CSystem"),

        .target(name: "FeedParsing", dependencies: ["CXML2", "CXXHash"]),
        .target(name: "ShardRouter"),
        .target(
            name: "Fetcher",
            dependencies: ["CCurl", "CXXHash", "FeedParsing"]),
        .target(
            name: "EntryStore",
            dependencies: [
                "CHiredis", "ShardRouter", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        // The daemon's parts that need no feed: when each feed is due, and the process's
        // plumbing (control endpoint, Prometheus export, systemd notification).
        .target(name: "Scheduler"),
        // What the daemon remembers beside Redis: which feeds had their first poll (durable,
        // in the state directory) and the entries handled but not yet stored (in memory).
        .target(name: "FeedMemory", dependencies: [.product(name: "Metrics", package: "swift-metrics")]),
        .target(
            name: "DaemonKit",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "HubDiffer",
            dependencies: [
                "FeedParsing", "ShardRouter", "EntryStore", "Fetcher", "Scheduler", "DaemonKit", "FeedMemory", "CCurl", "CHiredis",
                "CSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks (see BENCHMARKS.md): the raw libxml2 SAX2 reference and the in-process
        // comparison. Run in release mode only.
        .target(name: "RawSAX2", dependencies: ["CXML2"], path: "benchmarks/parse/RawSAX2"),
        .executableTarget(
            name: "ParseBenchmark", dependencies: ["FeedParsing", "RawSAX2", "CSystem"],
            path: "benchmarks/parse/ParseBenchmark"),

        // Real servers for the tests: redis-server, nginx and a quirky HTTP server of our own.
        .target(
            name: "TestSupport", dependencies: [.product(name: "Logging", package: "swift-log")], path: "Tests/Support",
            exclude: ["feed_farm_selftest.py"],
            resources: [.copy("quirky_server.py"), .copy("feed_farm.py")]),
        .testTarget(
            name: "FeedParsingTests", dependencies: ["FeedParsing"], path: "Tests/FeedParsingTests",
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ShardRouterTests", dependencies: ["ShardRouter"], path: "Tests/ShardRouterTests"),
        .testTarget(
            name: "EntryStoreTests",
            dependencies: [
                "EntryStore", "ShardRouter", "TestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/EntryStoreTests"),
        .testTarget(
            name: "HubDifferTests", dependencies: ["HubDiffer", "EntryStore", "TestSupport"], path: "Tests/HubDifferTests"),
        .testTarget(name: "FetcherTests", dependencies: ["Fetcher", "TestSupport"], path: "Tests/FetcherTests"),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler"], path: "Tests/SchedulerTests"),
        .testTarget(
            name: "FeedMemoryTests",
            dependencies: ["FeedMemory", .product(name: "MetricsTestKit", package: "swift-metrics")],
            path: "Tests/FeedMemoryTests"),
        .testTarget(name: "DaemonKitTests", dependencies: ["DaemonKit", "TestSupport"], path: "Tests/DaemonKitTests"),
    ],
    swiftLanguageModes: [.v6]
)
