import Foundation
import Testing

@testable import ShardRouter

@Suite("The editor lock", .ownThread)
struct LockTests {
    @Test("a second editor is refused at once while the first holds the lock")
    func secondRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        var secondError: ShardMapError?
        let result = try ShardMap.withExclusiveLock(path: path) { () -> Int in
            secondError = anyRefusal { try ShardMap.withExclusiveLock(path: path) { 1 } }
            return 42
        }
        #expect(result == 42)
        #expect(secondError == .lockHeld(path: path + ".lock", pid: getpid()))
        #expect(
            secondError?.description
                == "another editor holds \(path).lock (pid \(getpid())): wait for it to finish, then try again"
        )
    }

    @Test("after release, the lock can be taken again; the lock file stays, empty")
    func afterRelease() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        try ShardMap.withExclusiveLock(path: path) { () throws in
            #expect(try contents(path + ".lock") == "\(getpid())\n")
        }
        let again = try ShardMap.withExclusiveLock(path: path) { "taken again" }
        #expect(again == "taken again")
        #expect(try contents(path + ".lock") == "")
    }

    @Test("an error thrown by the body passes through and releases the lock")
    func bodyThrows() throws {
        struct Boom: Error, Equatable {}
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        #expect(throws: Boom()) {
            try ShardMap.withExclusiveLock(path: path) { () throws(Boom) in throw Boom() }
        }
        #expect(try ShardMap.withExclusiveLock(path: path) { true })
    }

    @Test("a lock file that cannot be created is a clear error")
    func cannotLock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("missing/shards.conf")
        let error = anyRefusal { try ShardMap.withExclusiveLock(path: path) {} }
        #expect(error == .cannotLock(path: path + ".lock", reason: "No such file or directory"))
    }

    @Test(
        "another process holding the lock (flock(1)) refuses this one",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func otherProcess() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        let ready = directory.file("ready")
        let stop = directory.file("stop")
        // Holds the lock until told to stop (or 10 s at most), so no process outlives the test.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [
            path + ".lock", "-c",
            "touch '\(ready)'; i=0; while [ ! -e '\(stop)' ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done",
        ]
        try holder.run()
        defer {
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            holder.waitUntilExit()
        }
        await waitUntil(every: .milliseconds(10)) { FileManager.default.fileExists(atPath: ready) }
        #expect(FileManager.default.fileExists(atPath: ready))
        let error = anyRefusal { try ShardMap.withExclusiveLock(path: path) {} }
        guard case .lockHeld(let lockPath, _) = error else {
            Issue.record("expected lockHeld, got \(String(describing: error))")
            return
        }
        #expect(lockPath == path + ".lock")
    }

    @Test("editFile locks, edits and writes; a held lock leaves the file untouched")
    func editFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        let text = "# map\n0-99 redis://a\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let edited = try ShardMap.editFile(at: path) { map throws(ShardMapError) in
            try map.splitting(range: 0...99, at: 10)
        }
        #expect(try contents(path) == edited.rendered())
        #expect(edited.ranges.map(\.bounds) == [0...9, 10...99])

        let before = try contents(path)
        try ShardMap.withExclusiveLock(path: path) {
            let error = refusal { () throws(ShardMapError) in
                try ShardMap.editFile(at: path) { map throws(ShardMapError) in
                    try map.removing(range: 0...9)
                }
            }
            #expect(error == .lockHeld(path: path + ".lock", pid: getpid()))
        }
        #expect(try contents(path) == before)

        // A refused edit writes nothing.
        let refused = refusal { () throws(ShardMapError) in
            try ShardMap.editFile(at: path) { map throws(ShardMapError) in
                try map.removing(range: 5...9)
            }
        }
        #expect(refused == .noSuchRange(file: path, first: 5, last: 9))
        #expect(try contents(path) == before)
        #expect(try directory.entries() == ["shards.conf", "shards.conf.lock"])
    }
}
