/// JSON Feed 1.0 / 1.1 documents.
enum JSONFeedParser {
    /// The feed in `bytes` (UTF-8 JSON). Entry keys are filled in by the caller.
    static func parse(_ bytes: [UInt8], options: ParserOptions) throws(FeedParsingError) -> Feed {
        throw .notAFeed("JSON Feed support is not written yet")  // STUB
    }
}
