import Foundation

/// An entry while its elements are still arriving, with the bookkeeping that decides which of
/// several competing elements wins (the rules follow feedparser, the reference parser).
struct EntryDraft {
    let depth: Int
    /// The entry's fields as they are decided (key and identity come later).
    var fields = Entry()
    var idDepth = Int.max
    /// The guid when it is a permalink (RSS `isPermaLink` absent or true, Atom `id`): the link
    /// when the entry has no link of its own.
    var permalinkFromID: String?
    var titleDepth = Int.max
    var mediaTitle: String?
    /// For an Atom `<author>`: its `<name>` and `<email>` children.
    var personName: String?
    var personEmail: String?

    init(depth: Int) { self.depth = depth }

    /// The finished entry (its key is computed once the whole document is known).
    consuming func makeEntry() -> Entry {
        var entry = fields
        if entry.link == nil { entry.link = permalinkFromID }
        if entry.title == nil { entry.title = mediaTitle }
        if entry.summaryText == nil { entry.summaryText = entry.contentText }
        return entry
    }
}
