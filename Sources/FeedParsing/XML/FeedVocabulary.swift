import Foundation

/// What the attributes and names of feed elements mean: RSS versions, link relations, content
/// types, enclosures. Rules follow feedparser, the reference parser.
enum FeedVocabulary {
    static func rssFormat(version: String?) -> FeedFormat {
        switch version?.trimmingWhitespace {
        case "0.90": return .rss090
        case "0.91": return .rss091
        case "0.92": return .rss092
        case "0.93": return .rss093
        case "0.94": return .rss094
        case "2.0", "2", "2.00", "2.01": return .rss20
        default: return .rss
        }
    }

    static func makeEnclosure(url: String, attributes: XMLAttributes) -> Enclosure {
        let length = attributes.value(.length).flatMap { Int64($0.trimmingWhitespace) }
        return Enclosure(url: url, type: attributes.value(.type), length: length)
    }

    /// A link that is the entry's (or feed's) page: `rel` alternate or absent, an HTML type
    /// or none.
    static func isAlternateHTMLLink(_ attributes: XMLAttributes) -> Bool {
        if attributes.isEmpty { return true }  // RSS <link>: no rel, no type
        return (attributes.value(.rel) ?? "alternate") == "alternate" && isHTMLType(attributes.value(.type) ?? "text/html")
    }

    static func href(_ attributes: XMLAttributes) -> String? {
        attributes.value(.url) ?? attributes.value(.href)
    }

    /// Atom 0.3 `mode="base64"`, or an Atom type that is neither text nor XML (feedparser's rule).
    static func isBase64(type: String?, mode: String?) -> Bool {
        if mode?.lowercased() == "base64" { return true }
        guard let type else { return false }
        switch type {
        case "text", "html", "xhtml": return false
        default: return !(type.hasPrefix("text/") || type.hasSuffix("+xml") || type.hasSuffix("/xml"))
        }
    }

    static func isHTMLType(_ type: String) -> Bool {
        if type == "text/html" { return true }
        switch type.lowercased() {
        case "text/html", "html", "application/xhtml+xml", "xhtml": return true
        default: return false
        }
    }
}

extension LocalName {
    /// Channel parts whose titles and links are not the feed's or the entry's.
    var isForeignBlock: Bool {
        switch self {
        case .image, .textinput, .textInput, .source: return true
        default: return false
        }
    }
}

extension XMLNamespace {
    /// The namespaces whose elements feedparser treats alike: RSS (none, 0.90, 1.0) and Atom.
    var isCore: Bool {
        switch self {
        case .none, .rss10, .rss090, .atom10, .atom03: return true
        default: return false
        }
    }
}
