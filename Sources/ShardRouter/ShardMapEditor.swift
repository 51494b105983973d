/// One edit of a shard map file: made under the editor lock and written atomically (through
/// ``ShardMap/editFile(at:_:)``), or, for a dry run, made on the map as read and not written.
/// The `hubdiffer shards` edits (add, remove, split, merge, set) go through it.
public struct ShardMapEditor: Sendable {
    /// The map's path.
    public let file: String
    /// Whether the edit is only shown (nothing is locked or written).
    public let dryRun: Bool

    public init(file: String, dryRun: Bool) {
        self.file = file
        self.dryRun = dryRun
    }

    /// Runs `edit` on the map in the file and, unless this is a dry run, writes the result.
    ///
    /// - Throws: what reading, locking, the edit or writing threw; the file is then unchanged.
    public func apply(_ edit: (ShardMap) throws(ShardMapError) -> ShardMap) throws(ShardMapError) -> ShardMapEdit {
        if dryRun {
            let old = try ShardMap.load(from: file)
            return ShardMapEdit(old: old, new: try edit(old))
        }
        var loaded: ShardMap?
        let new = try ShardMap.editFile(at: file) { map throws(ShardMapError) in
            loaded = map
            return try edit(map)
        }
        guard let loaded else { preconditionFailure("editFile returned without calling the edit") }
        return ShardMapEdit(old: loaded, new: new)
    }

    /// `line N of FILE` for the range with these bounds in `map`; the file's name alone when
    /// no line holds them.
    public func line(_ bounds: ClosedRange<Int64>, in map: ShardMap) -> String {
        map.lineNumber(of: bounds).map { "line \($0) of \(file)" } ?? file
    }
}

/// A shard map before and after an edit.
public struct ShardMapEdit: Sendable, Equatable {
    public let old: ShardMap
    public let new: ShardMap

    /// Whether the file's text changes (an edit may leave it as it was).
    public var changesText: Bool { old.rendered() != new.rendered() }

    /// The change to the file's text as a unified diff, one string a line, passwords shown as
    /// `***`; empty when the text does not change.
    public func diff(fileName: String) -> [String] {
        LineDiff.unified(
            old: old.rendered(), new: new.rendered(), oldName: fileName, newName: "\(fileName) (after the edit)",
            display: ShardEndpoint.redactingPasswords(in:))
    }
}
