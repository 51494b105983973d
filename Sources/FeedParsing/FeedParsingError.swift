/// Why a document could not be turned into a ``Feed``. Each case reads as one clear line.
public enum FeedParsingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The document has no bytes (or only white space).
    case empty
    /// The document is larger than ``ParserLimits/maxDocumentBytes``.
    case documentTooLarge(bytes: Int, limit: Int)
    /// The document parsed, but it is not RSS, RDF, Atom or JSON Feed (an HTML page, say).
    case notAFeed(String)
    /// The document is too damaged to recover anything from.
    case malformed(line: Int, message: String)
    /// Entity expansion went past libxml2's amplification bound (a "billion laughs" document).
    case entityExpansionLimit(line: Int)
    /// Elements nest deeper than the parser allows.
    case nestingTooDeep(line: Int)

    public var description: String {
        switch self {
        case .empty:
            return "empty document: no bytes to parse"
        case .documentTooLarge(let bytes, let limit):
            return "document of \(bytes) bytes refused: the limit is \(limit) bytes"
        case .notAFeed(let what):
            return "not a feed: \(what)"
        case .malformed(let line, let message):
            return "malformed document at line \(line): \(message)"
        case .entityExpansionLimit(let line):
            return "refused at line \(line): entity expansion exceeds the safe bound (billion-laughs pattern)"
        case .nestingTooDeep(let line):
            return "refused at line \(line): elements nest too deeply"
        }
    }
}
