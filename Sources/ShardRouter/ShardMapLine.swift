/// One line of `shards.conf`, kept as written so that an unchanged map renders byte for byte.
struct ShardMapLine: Sendable, Equatable {
    /// What the line says.
    enum Content: Sendable, Equatable {
        /// Empty or white space only.
        case blank
        /// A whole-line `#` comment.
        case comment
        /// `FIRST-LAST  URL`, with the `# …` that followed the URL, if any.
        case range(ShardRange, trailingComment: String?)
    }

    /// The line exactly as written, without its `\n` (a `\r` of a CRLF file stays here).
    var text: String
    var content: Content

    /// The range on this line, if it is a range line.
    var range: ShardRange? {
        if case .range(let range, _) = content { return range }
        return nil
    }

    /// The `# …` after the URL of a range line.
    var trailingComment: String? {
        if case .range(_, let comment) = content { return comment }
        return nil
    }

    /// A range line in the canonical form `FIRST-LAST  URL[  # comment]`, for edited lines.
    static func canonical(
        _ range: ShardRange, trailingComment: String?, carriageReturn: Bool
    ) -> ShardMapLine {
        var text = range.canonicalText
        if let trailingComment { text += "  " + trailingComment }
        if carriageReturn { text += "\r" }
        return ShardMapLine(text: text, content: .range(range, trailingComment: trailingComment))
    }

    /// Whether the line is a whole-line comment.
    var isComment: Bool { content == .comment }
}
