/// A line diff of two texts, printed in the unified style (`---`/`+++` header, `@@` hunks,
/// lines prefixed ` `, `-`, `+`). Made for small files such as `shards.conf`: the lines both
/// texts share at the start and the end are set aside, and the rest is compared with a
/// longest-common-subsequence table (or replaced whole when that table would be large).
/// `shards` edits show their `--dry-run` this way (see ``ShardMapEdit/diff(fileName:)``).
public enum LineDiff {
    /// One line of the edit script.
    public enum Operation: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)

        /// Whether the line is removed or added.
        public var isChange: Bool { if case .same = self { false } else { true } }
    }

    /// The lines of a text, split on `\n` (a final `\n` ends the last line, it does not start
    /// another).
    public static func lines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        // Split the bytes: as Characters, "\r\n" is one, and would not split on "\n".
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(Substring($0)) }
        if text.utf8.last == UInt8(ascii: "\n") { lines.removeLast() }
        return lines
    }

    /// The edit script from `old` to `new`, line by line.
    public static func operations(_ old: [String], _ new: [String]) -> [Operation] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])

        var middle: [Operation] = []
        if a.count * b.count > 4_000_000 {
            middle = a.map(Operation.removed) + b.map(Operation.added)
        } else {
            // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
            var lengths = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                for j in stride(from: b.count - 1, through: 0, by: -1) {
                    lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
                }
            }
            var i = 0
            var j = 0
            while i < a.count || j < b.count {
                if i < a.count, j < b.count, a[i] == b[j] {
                    middle.append(.same(a[i]))
                    i += 1
                    j += 1
                } else if j == b.count || (i < a.count && lengths[i + 1][j] >= lengths[i][j + 1]) {
                    middle.append(.removed(a[i]))
                    i += 1
                } else {
                    middle.append(.added(b[j]))
                    j += 1
                }
            }
        }
        return old[..<prefix].map(Operation.same) + middle + old[(old.count - suffix)...].map(Operation.same)
    }

    /// The diff of `old` and `new` in the unified style, one string a line; empty when the
    /// texts have the same lines. `display` rewrites each line before it is shown (to hide
    /// passwords, say); a `\r` at the end of a line is not shown.
    public static func unified(
        old: String, new: String, oldName: String, newName: String, context: Int = 3,
        display: (String) -> String = { $0 }
    ) -> [String] {
        let script = operations(lines(old), lines(new))
        let changes = script.indices.filter { script[$0].isChange }
        guard let firstChange = changes.first else { return [] }

        // Hunks: runs of operations around changes, merged when their context would touch.
        var hunks: [Range<Int>] = []
        var start = max(0, firstChange - context)
        var end = min(script.count, firstChange + context + 1)
        for change in changes.dropFirst() {
            if change - context <= end {
                end = min(script.count, change + context + 1)
            } else {
                hunks.append(start..<end)
                start = change - context
                end = min(script.count, change + context + 1)
            }
        }
        hunks.append(start..<end)

        // Where each operation starts, in old and new lines.
        var oldLine = [Int](repeating: 0, count: script.count + 1)
        var newLine = [Int](repeating: 0, count: script.count + 1)
        for (index, operation) in script.enumerated() {
            let (inOld, inNew) =
                switch operation {
                case .same: (1, 1)
                case .removed: (1, 0)
                case .added: (0, 1)
                }
            oldLine[index + 1] = oldLine[index] + inOld
            newLine[index + 1] = newLine[index] + inNew
        }

        var output = ["--- \(oldName)", "+++ \(newName)"]
        for hunk in hunks {
            let oldCount = oldLine[hunk.upperBound] - oldLine[hunk.lowerBound]
            let newCount = newLine[hunk.upperBound] - newLine[hunk.lowerBound]
            // An empty side names the line before it, as `diff -u` does.
            let oldStart = oldCount == 0 ? oldLine[hunk.lowerBound] : oldLine[hunk.lowerBound] + 1
            let newStart = newCount == 0 ? newLine[hunk.lowerBound] : newLine[hunk.lowerBound] + 1
            output.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for operation in script[hunk] {
                let text = display(stripCarriageReturn(operationText(operation)))
                switch operation {
                case .same: output.append(" " + text)
                case .removed: output.append("-" + text)
                case .added: output.append("+" + text)
                }
            }
        }
        return output
    }

    private static func operationText(_ operation: Operation) -> String {
        switch operation {
        case .same(let text), .removed(let text), .added(let text): return text
        }
    }

    private static func stripCarriageReturn(_ line: String) -> String {
        line.unicodeScalars.last == "\r" ? String(line.unicodeScalars.dropLast()) : line
    }
}
