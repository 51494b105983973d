import CXXHash

/// Versions of the C libraries FeedParsing runs on.
public enum LibraryVersions {
    /// libxml2, as the library reports it (e.g. "20914").
    public static var libxml2: String { LibXML2SAXParser.libraryVersion }
    /// libxxhash, e.g. "0.8.1".
    public static var xxhash: String {
        let number = hd_xxhash_version()
        return "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }
}
