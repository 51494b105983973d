/// What libxml2 reported about one parse.
struct XMLParseReport: Sendable {
    /// False when libxml2 had to recover from a well-formedness error.
    var wellFormed: Bool
    /// The first error, as one line (`line N: message`), when there was one.
    var firstError: String?
    /// The first error's line and message, apart.
    var firstErrorLine: Int?
    var firstErrorMessage: String?
    /// The number of errors and warnings seen.
    var errorCount: Int
    /// True when every error came after the root element had ended (trailing junk): nothing
    /// of the feed was lost.
    var damageOnlyAfterRoot = true
    /// Set when the parse was refused rather than recovered.
    var refusal: FeedParsingError?
    /// True when the first error was a character XML does not allow.
    var firstErrorIsForbiddenCharacter = false
    /// True when an HTML named entity beyond ASCII (`&eacute;`) was expanded: right in text,
    /// but cut to its first byte inside an attribute value by libxml2 2.9.
    var usedMultibyteHTMLEntity = false
    /// True when the first error was a forbidden character and the parse was asked to stop
    /// at the next start tag (`stopAtForbiddenCharacter`): what it built may cover only the
    /// document up to there.
    var stoppedAtForbiddenCharacter = false
}
