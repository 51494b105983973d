import Foundation
import Testing

@testable import ShardRouter

@Suite("Writing shards.conf atomically")
struct FileTests {
    static let text = "# servers\n0-99 redis://:pw@a   # keep me\n\n100-199 redis://b\n"

    @Test("writing a new file: the rendered text, mode 0600, no temporary file left")
    func writeNew() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        let map = try ShardMap(parsing: Self.text)
        try map.write(to: path)
        #expect(try contents(path) == Self.text)
        #expect(try permissions(path) == 0o600)
        #expect(try directory.entries() == ["shards.conf"])
    }

    @Test("writing over a file keeps its permissions and replaces its content")
    func writeOver() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        for mode in [0o640, 0o644, 0o600, 0o444] {
            try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            let edited = try ShardMap(parsing: Self.text).splitting(range: 0...99, at: 50)
            try edited.write(to: path)
            #expect(try contents(path) == edited.rendered())
            #expect(try permissions(path) == mode)
            #expect(try directory.entries() == ["shards.conf"])
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
    }

    @Test("load, edit, write, load again: the edit is there and the rest is byte for byte")
    func roundTripThroughDisk() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        try Self.text.write(toFile: path, atomically: false, encoding: .utf8)
        let map = try ShardMap.load(from: path)
        try map.write(to: path)
        #expect(try contents(path) == Self.text)
        try map.adding(range: 200...299, endpoint: ShardEndpoint(url: "redis://c")).write(to: path)
        #expect(try contents(path) == Self.text + "200-299  redis://c:6379/0\n")
        #expect(try ShardMap.load(from: path).ranges.count == 3)
    }

    @Test("writing through a symbolic link replaces the file it points to")
    func symlink() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let real = directory.file("real.conf")
        let link = directory.file("shards.conf")
        try "old\n".write(toFile: real, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try ShardMap(parsing: Self.text).write(to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
        #expect(try contents(real) == Self.text)
        #expect(try directory.entries() == ["real.conf", "shards.conf"])
    }

    @Test("a write that cannot happen throws, leaves the file alone and no temporary file")
    func writeRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let map = try ShardMap(parsing: Self.text)
        let missing = refusal { () throws(ShardMapError) in
            try map.write(to: directory.file("no/shards.conf"))
        }
        guard case .cannotWrite(let path, let reason) = missing else {
            Issue.record("expected cannotWrite, got \(String(describing: missing))")
            return
        }
        #expect(path == directory.file("no/shards.conf"))
        #expect(reason.contains("No such file or directory"))
        #expect(reason.contains("the file was not changed"))

        // A directory in the way of the rename: the temporary file must be cleaned up.
        try FileManager.default.createDirectory(
            atPath: directory.file("taken"), withIntermediateDirectories: false)
        try "x".write(toFile: directory.file("taken/inside"), atomically: false, encoding: .utf8)
        let blocked = refusal { () throws(ShardMapError) in
            try map.write(to: directory.file("taken"))
        }
        #expect(blocked?.description.contains("renaming the temporary file over it failed") == true)
        #expect(try directory.entries() == ["taken"])
    }

    @Test("loading a missing file says so")
    func loadMissing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        let error = refusal { () throws(ShardMapError) in try ShardMap.load(from: path) }
        #expect(error == .cannotRead(path: path, reason: "No such file or directory"))
    }
}
