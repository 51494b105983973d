/// Why a document could not be turned into a ``Feed``. Each case reads as one clear line.
public enum FeedParsingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whether the document was refused as hostile or too costly (not merely not a feed).
    public var isHostile: Bool {
        switch self {
        case .entityExpansionLimit, .nestingTooDeep, .tooManyAttributes, .timeBudgetExceeded, .documentTooLarge: true
        case .empty, .notAFeed, .malformed, .cancelled: false
        }
    }

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
    /// An element with more attributes than ``ParserLimits/maxAttributesPerElement`` (or the
    /// document more than ``ParserLimits/maxAttributes``): built to make the parser quadratic.
    case tooManyAttributes(line: Int, count: Int, limit: Int, inOneElement: Bool)
    /// Parsing took longer than ``ParserLimits/timeBudget`` and was abandoned.
    case timeBudgetExceeded(Duration)
    /// The poll that asked was cancelled while the document waited for a parse thread.
    case cancelled

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
        case .tooManyAttributes(let line, let count, let limit, let inOneElement):
            return inOneElement
                ? "refused at line \(line): an element with \(count) attributes (the limit is \(limit)): a document built to make the parser quadratic"
                : "refused at line \(line): over \(limit) attributes in the document: a document built to make the parser slow"
        case .timeBudgetExceeded(let budget):
            return "abandoned after \(budget.components.seconds) s of parsing (the time budget of a document)"
        case .cancelled:
            return "not parsed: the poll was stopped"
        }
    }
}
