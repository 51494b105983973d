extension ShardEndpoint {
    /// `text` with the password of every `scheme://[:]PASSWORD@host` in it shown as `***`
    /// (generously: everything between `://` and the last `@` of the word), for lines of a
    /// map and URLs given on the command line that are repeated in messages or diffs.
    public static func redactingPasswords(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let marker = rest.firstRange(of: "://") {
            result += rest[..<marker.upperBound]
            let after = rest[marker.upperBound...]
            let wordEnd = after.firstIndex { $0 == " " || $0 == "\t" } ?? after.endIndex
            let word = after[..<wordEnd]
            if let at = word.lastIndex(of: "@") {
                result += word.first == ":" ? ":***" : "***"
                result += word[at...]
            } else {
                result += word
            }
            rest = after[wordEnd...]
        }
        return result + rest
    }
}
