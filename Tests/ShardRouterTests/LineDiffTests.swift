import Foundation
import Testing

@testable import ShardRouter

/// The unified diff `shards … --dry-run` prints, and the editor that makes it.
@Suite("Line diffs and the map editor")
struct LineDiffTests {
    @Test("changes are shown in hunks with three lines of context, as diff -u shows them")
    func unified() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        var lines = (1...10).map { "line \($0)" }
        lines[1] = "line two"
        lines.insert("added", at: 9)
        let new = lines.joined(separator: "\n") + "\n"
        #expect(
            LineDiff.unified(old: old, new: new, oldName: "a", newName: "b") == [
                "--- a", "+++ b",
                "@@ -1,5 +1,5 @@", " line 1", "-line 2", "+line two", " line 3", " line 4", " line 5",
                "@@ -7,4 +7,5 @@", " line 7", " line 8", " line 9", "+added", " line 10",
            ])
        #expect(LineDiff.unified(old: old, new: old, oldName: "a", newName: "b").isEmpty)
        #expect(LineDiff.unified(old: "", new: "x\n", oldName: "a", newName: "b") == ["--- a", "+++ b", "@@ -0,0 +1,1 @@", "+x"])
    }

    @Test("lines split on \\n only; a carriage return is not shown; display rewrites each line")
    func linesAndDisplay() {
        #expect(LineDiff.lines("a\r\nb\n") == ["a\r", "b"])
        #expect(LineDiff.lines("a\n\n") == ["a", ""])
        let diff = LineDiff.unified(old: "a\r\n", new: "b\r\n", oldName: "x", newName: "y", display: { $0.uppercased() })
        #expect(diff.suffix(2) == ["-A", "+B"])
    }

    @Test("the operations keep every line of both texts in order")
    func operations() {
        let old = ["a", "b", "c", "d"]
        let new = ["a", "c", "e", "d"]
        let script = LineDiff.operations(old, new)
        let kept = script.filter { if case .added = $0 { false } else { true } }
        let made = script.filter { if case .removed = $0 { false } else { true } }
        #expect(kept.count == old.count && made.count == new.count)
        #expect(script.filter(\.isChange).count == 2)
    }

    @Test("a dry run edits the map as read and writes nothing; its diff hides passwords")
    func dryRunEditor() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/shards.conf"
        let text = "0-99 redis://:s3cret@a/0\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let edit = try ShardMapEditor(file: file, dryRun: true).apply { map throws(ShardMapError) in
            try map.splitting(range: 0...99, at: 50)
        }
        #expect(edit.changesText)
        #expect(try contents(file) == text)
        let diff = edit.diff(fileName: file)
        #expect(diff.contains("-0-99 redis://:***@a/0"))
        #expect(diff.contains { $0.hasPrefix("+50-99") })
        #expect(!diff.joined().contains("s3cret"))

        let written = try ShardMapEditor(file: file, dryRun: false).apply { map throws(ShardMapError) in
            try map.splitting(range: 0...99, at: 50)
        }
        #expect(try ShardMap.load(from: file) == written.new)
        #expect(ShardMapEditor(file: file, dryRun: false).line(50...99, in: written.new) == "line 2 of \(file)")
    }

    @Test("passwords in any URL of a line are shown as ***")
    func redaction() {
        #expect(ShardEndpoint.redactingPasswords(in: "0-9 redis://:pw@h/0  # x") == "0-9 redis://:***@h/0  # x")
        #expect(ShardEndpoint.redactingPasswords(in: "rediss://user:pw@h/k http://h/") == "rediss://***@h/k http://h/")
        #expect(ShardEndpoint.redactingPasswords(in: "no url") == "no url")
    }
}
