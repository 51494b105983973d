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
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // Vectorised byte scans (JSON escapes), header only.
        .systemLibrary(name: "CByteScan"),

        // libc results judged one way: errno read once, right after the call.
        .target(name: "SystemCalls"),
        .target(name: "FeedParsing", dependencies: ["CXML2", "CXXHash", "CByteScan"]),
        // Percent-encoding, written once for every URL part the program reads or writes.
        .target(name: "URLEncoding"),
        .target(name: "ShardRouter", dependencies: ["URLEncoding", "SystemCalls"]),
        .target(
            name: "Fetcher",
            dependencies: ["CCurl", "CXXHash", "AsyncBridges"]),
        // Bridges to async/await: one answer from a reply or a cancellation, blocking work off
        // the cooperative pool.
        .target(name: "AsyncBridges"),
        // The Redis wire: one hiredis connection, RESP values, a client with timeouts.
        .target(name: "RedisWire", dependencies: ["CHiredis", "ShardRouter"]),
        // Which entries of a feed are new: per-feed sorted sets on the shards of the map.
        .target(
            name: "EntryStore",
            dependencies: [
                "RedisWire", "ShardRouter", "AsyncBridges", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        // The daemon's parts that need no feed: when each feed is due, and the process's
        // plumbing (control endpoint, Prometheus export, systemd notification).
        .target(name: "Scheduler"),
        // What the daemon remembers beside Redis: which feeds had their first poll (durable,
        // in the state directory) and the entries handled but not yet stored (in memory).
        .target(name: "FeedMemory", dependencies: ["SystemCalls", "AsyncBridges", .product(name: "Metrics", package: "swift-metrics")]),
        .target(
            name: "DaemonKit",
            dependencies: [
                "CSystem", "SystemCalls", "URLEncoding",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // Every JSON the program prints, written one way.
        .target(name: "JSONOutput", dependencies: ["CByteScan"]),
        // Where new entries go: the sinks (stdout, HTTP, Redis stream) and the entry JSON schema.
        .target(
            name: "Delivery",
            dependencies: [
                "FeedParsing", "Fetcher", "RedisWire", "EntryStore", "ShardRouter", "URLEncoding", "JSONOutput", "DaemonKit",
                "AsyncBridges",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        // One poll of one feed, end to end (fetch, parse on the parse threads, diff, deliver,
        // mark): what `fetch` runs once and the daemon runs many times.
        .target(
            name: "Polling",
            dependencies: [
                "FeedParsing", "Fetcher", "EntryStore", "FeedMemory",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The daemon: its configuration, the poll dispatcher, the control routes, metrics.
        .target(
            name: "HubDaemon",
            dependencies: [
                "Polling", "Delivery", "Scheduler", "FeedMemory", "EntryStore", "Fetcher", "FeedParsing", "ShardRouter",
                "DaemonKit", "JSONOutput", "AsyncBridges",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        // `shards move`: copying a range's sets between shards, journalled, and the daemon told.
        .target(
            name: "ShardMigration",
            dependencies: [
                "EntryStore", "RedisWire", "ShardRouter", "DaemonKit",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The executable: commands that parse arguments, call the libraries above, and print.
        .executableTarget(
            name: "HubDiffer",
            dependencies: [
                "FeedParsing", "ShardRouter", "EntryStore", "RedisWire", "Fetcher", "Scheduler", "DaemonKit", "FeedMemory",
                "JSONOutput", "Delivery", "Polling", "HubDaemon", "ShardMigration", "CCurl", "CHiredis",
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
            name: "FeedParsingTests", dependencies: ["FeedParsing", "TestSupport"], path: "Tests/FeedParsingTests",
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ShardRouterTests", dependencies: ["ShardRouter"], path: "Tests/ShardRouterTests"),
        .testTarget(
            name: "EntryStoreTests",
            dependencies: [
                "EntryStore", "RedisWire", "ShardRouter", "TestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/EntryStoreTests"),
        .testTarget(
            name: "HubDifferTests",
            dependencies: ["HubDiffer", "HubDaemon", "Delivery", "Polling", "EntryStore", "RedisWire", "Fetcher", "Scheduler", "JSONOutput", "TestSupport"],
            path: "Tests/HubDifferTests"),
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
