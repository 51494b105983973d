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

extension EntryDraft {
    /// Puts what a capture that ended inside this entry collected into `entry`, by the rules
    /// above: the shallowest title (the first of equals), the shallowest id, an author's name
    /// before its e-mail. Links and permalink ids are resolved against `base`; an id over
    /// ``ParserLimits/maxIdentifierBytes`` is left out, with a warning.
    mutating func finish(
        _ capture: TextCapture, text: TextBuffer, base: String?, limits: ParserLimits, into entry: inout Entry,
        warnings: inout [String]
    ) {
        switch capture.kind {
        case .summary, .content:
            let kept = capture.isBase64 ? text.string(of: capture).map(EntryText.init) : text.entryText(from: capture.start)
            if capture.kind == .summary, entry.summaryText == nil { entry.summaryText = kept }
            if capture.kind == .content, entry.contentText == nil { entry.contentText = kept }
            return
        case .published, .updated:
            // Read from the collected bytes: no String is made for a date (never base64).
            guard let date = text.date(from: capture.start) else { return }
            if capture.kind == .published { entry.published = date } else { entry.updated = date }
            return
        default:
            break
        }
        let string = text.string(of: capture)
        switch capture.kind {
        case .title:
            guard let string, capture.depth < titleDepth else { return }
            entry.title = capture.isHTML ? HTMLText.plainText(string) : string
            titleDepth = capture.depth
        case .mediaTitle:
            if mediaTitle == nil { mediaTitle = string }
        case .link:
            guard let string else { return }  // an empty <link/> leaves the link as it was
            Self.setLink(written: string, resolved: URLResolver.resolve(string, against: base), on: &entry)
        case .id:
            guard let string, capture.depth <= idDepth else { return }
            guard string.utf8.count <= limits.maxIdentifierBytes else {
                warnings.append("an id of \(string.utf8.count) bytes was ignored (limit \(limits.maxIdentifierBytes))")
                return
            }
            let isPermalink = capture.isHTML
            let value = isPermalink ? URLResolver.resolve(string, against: base) : string
            entry.id = value
            entry.idAsWritten = value == string ? nil : string
            idDepth = capture.depth
            if isPermalink { permalinkFromID = (value, string) }
        case .personName:
            personName = string
        case .personEmail:
            personEmail = string
        case .author:
            if let author = personName ?? personEmail ?? string { entry.authors.append(author) }
        case .category:
            if let string { entry.categories.append(string) }
        case .summary, .content, .published, .updated, .feedTitle, .feedLink, .ttl:
            break  // read above, or the feed's
        }
    }

    /// Sets `entry`'s link: resolved for output, as written for its identity (a key must not
    /// change when the feed's own URL does).
    static func setLink(written: String, resolved: String, on entry: inout Entry) {
        entry.link = resolved
        entry.linkAsWritten = resolved == written ? nil : written
    }
}
