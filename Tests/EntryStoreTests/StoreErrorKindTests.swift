import Testing

@testable import EntryStore

@Suite("StoreErrorKind")
struct StoreErrorKindTests {
    @Test("error replies are sorted by their first word into what the store does about them")
    func classification() {
        let cases: [(String, String, StoreErrorKind.Consequence)] = [
            ("OOM command not allowed when used memory > 'maxmemory'.", "oom", .writesRefused),
            ("READONLY You can't write against a read only replica.", "readonly", .writesRefused),
            ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.", "misconf", .writesRefused),
            ("LOADING Redis is loading the dataset in memory", "loading", .shardDown),
            ("BUSY Redis is busy running a script.", "busy", .shardDown),
            ("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", "masterdown", .shardDown),
            ("NOAUTH Authentication required.", "noauth", .shardDown),
            ("WRONGTYPE Operation against a key holding the wrong kind of value", "wrongtype", .operationFailed),
            ("ERR wrong number of arguments for 'zadd' command", "err", .operationFailed),
            ("something without a code", "err", .operationFailed),
        ]
        for (message, label, consequence) in cases {
            let kind = StoreErrorKind(reply: message)
            #expect(kind.label == label, "\(message)")
            #expect(kind.consequence == consequence, "\(message)")
            #expect(kind.passes == (consequence != .operationFailed))
        }
        #expect(StoreErrorKind(.timeout).label == "timeout")
        #expect(StoreErrorKind(.server("NOAUTH Authentication required.")).label == "noauth")
        #expect(StoreErrorKind(.server("ERR unknown")).label == "server")
    }
}
