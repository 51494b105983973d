import Foundation

extension ShardServerReport: CustomStringConvertible {
    /// `ok, memory 1.2 MiB, 3 keys, zset-max-listpack-entries 128 (…)`: the report in one line,
    /// with a warning when the listpack limit is too low.
    public var description: String {
        var parts = ["ok"]
        parts.append(usedMemory.map { "memory \(Self.bytes($0))" } ?? "memory unknown (INFO memory refused)")
        parts.append(keyCount.map { $0 == 1 ? "1 key" : "\($0) keys" } ?? "keys unknown (DBSIZE refused)")
        let bound = Self.compactSetSize
        switch listpackLimit {
        case .success(let limit) where listpackLimitTooLow:
            parts.append(
                "warning: \(limit.name) is \(limit.value), below \(bound) (the entries kept for a 50-entry feed): "
                    + "such sets leave the compact listpack encoding and take several times the memory; "
                    + "raise it with CONFIG SET \(limit.name) \(bound) and in redis.conf")
        case .success(let limit):
            parts.append("\(limit.name) \(limit.value) (sets of up to \(bound) entries stay compact)")
        case .failure(let unknown):
            parts.append("zset-max-listpack-entries unknown (CONFIG GET: \(unknown.reason))")
        }
        return parts.joined(separator: ", ")
    }

    /// `512 B`, `1.5 KiB`, `20.3 MiB`, `1.2 GiB`.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
