import Foundation

@testable import ShardRouter

/// SplitMix64: a seeded generator, so that a failing property test replays exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A fresh directory under the system's temporary directory; `remove()` deletes it.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("shardrouter-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    func file(_ name: String) -> String { path + "/" + name }

    /// The names in the directory, sorted (hidden files included).
    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The error a throwing expression throws, or nil when it returns.
func refusal<T>(_ body: () throws(ShardMapError) -> T) -> ShardMapError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The permission bits of a file.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// The bytes of a file.
func contents(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

/// The `ShardMapError` an untyped throwing expression throws, or nil.
func anyRefusal<T>(_ body: () throws -> T) -> ShardMapError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? ShardMapError
    }
}
