import Foundation
import ShardRouter

/// The record of an unfinished `hubdiffer shards move`, kept beside the map as `FILE.move`
/// from the first copy until the old copies are deleted. It names the server the range came
/// from (after the switch the map no longer does), so an interrupted move can be finished by
/// running the same command again. Written `0600`: the URLs may hold passwords.
public struct MoveJournal: Codable, Equatable {
    /// `FIRST-LAST`.
    public var range: String
    /// The server the range's keys are copied from.
    public var source: String
    /// The server they are copied to.
    public var target: String
    /// When the move began (ISO 8601).
    public var started: String

    /// `shards.conf` → `shards.conf.move`.
    public static func path(forMap map: String) -> String { map + ".move" }

    /// The journal at `path`; nil when there is none.
    public static func load(_ path: String) throws(MoveFailure) -> MoveJournal? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
            let journal = try? JSONDecoder().decode(MoveJournal.self, from: data)
        else {
            throw .journal(
                "\(path) cannot be read as a move journal: if no move is under way, check the range's keys with "
                    + "`hubdiffer shards list --count` and delete the file")
        }
        return journal
    }

    /// Writes the journal atomically, readable by its owner only.
    public func save(_ path: String) throws(MoveFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            let data = try encoder.encode(self) + Data("\n".utf8)
            let temporary = path + ".tmp-\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown) }
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                throw MoveFailure.journal("cannot write \(path) (\(reason)): check that its directory is writable")
            }
        } catch let failure as MoveFailure {
            throw failure
        } catch {
            throw .journal("cannot write \(path) (\(error.localizedDescription)): check that its directory is writable")
        }
    }

    public static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
