import Foundation

/// An entry while its elements are still arriving, with the bookkeeping that decides which of
/// several competing elements wins (the rules follow feedparser, the reference parser).
struct EntryDraft {
    let depth: Int
    var id: String?
    var idDepth = Int.max
    /// The guid when it is a permalink (RSS `isPermaLink` absent or true, Atom `id`): the link
    /// when the entry has no link of its own.
    var permalinkFromID: String?
    var link: String?
    var title: String?
    var titleDepth = Int.max
    var mediaTitle: String?
    var summary: EntryText?
    var content: EntryText?
    var published: Date?
    var updated: Date?
    var authors: [String] = []
    var categories: [String] = []
    var enclosures: [Enclosure] = []
    /// For an Atom `<author>`: its `<name>` and `<email>` children.
    var personName: String?
    var personEmail: String?

    init(depth: Int) { self.depth = depth }

    /// The finished entry (its key is computed once the whole document is known).
    func makeEntry() -> Entry {
        var entry = Entry(
            id: id, link: link ?? permalinkFromID, title: title ?? mediaTitle, authors: authors,
            categories: categories, enclosures: enclosures, published: published, updated: updated)
        entry.summaryText = summary ?? content
        entry.contentText = content
        return entry
    }
}
