import Foundation

/// The bookkeeping of an entry whose elements are still arriving: what decides which of several
/// competing elements wins (the rules follow feedparser, the reference parser). The entry itself
/// is the last of the builder's entries, filled in place.
struct EntryDraft {
    let depth: Int
    var idDepth = Int.max
    /// The guid when it is a permalink (RSS `isPermaLink` absent or true, Atom `id`): the link
    /// when the entry has no link of its own.
    var permalinkFromID: (resolved: String, written: String)?
    var titleDepth = Int.max
    var mediaTitle: String?
    /// For an Atom `<author>`: its `<name>` and `<email>` children.
    var personName: String?
    var personEmail: String?

    init(depth: Int) { self.depth = depth }

    /// Fills in what the entry's own elements left open, once it has ended.
    func complete(_ entry: inout Entry) {
        if entry.link == nil, let permalink = permalinkFromID {
            entry.link = permalink.resolved
            entry.linkAsWritten = permalink.resolved == permalink.written ? nil : permalink.written
        }
        if entry.title == nil { entry.title = mediaTitle }
        if entry.summaryText == nil { entry.summaryText = entry.contentText }
    }
}
