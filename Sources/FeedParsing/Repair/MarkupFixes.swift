/// How many fixes of each kind were made.
struct MarkupFixes {
    /// Bytes of text before the root element (or white space before the XML declaration).
    var leadingText = 0
    /// XML declarations dropped.
    var declarations = 0
    /// Bytes after the end of the root element.
    var trailingContent = 0
    /// Characters XML forbids everywhere.
    var forbiddenCharacters = 0
    /// `&` that started no reference.
    var strayAmpersands = 0
    /// `&name;` of unknown names, and the first such name.
    var unknownEntities = 0
    /// The first unknown entity name.
    var firstUnknownEntity = ""
    /// Numeric references to forbidden characters.
    var forbiddenReferences = 0
    /// `<` that started no markup, `<` in attribute values, and `>` of `]]>` in text.
    var strayLessThan = 0
    /// `]]>` in text.
    var cdataEnds = 0
    /// Attribute values quoted or given.
    var unquotedValues = 0
    /// Attributes dropped as repeated.
    var duplicateAttributes = 0
    /// Tags closed with a `>` that was missing, or bytes in tags dropped.
    var tagFixes = 0
    /// End tags that closed nothing open, dropped.
    var strayEndTags = 0
    /// Elements closed by an end tag of an outer one, or at the end of the document.
    var unclosedElements = 0
    /// Elements still open where the document ends (it was cut short); left open.
    var truncatedElements = 0
    /// `--` inside comments.
    var commentHyphens = 0
    /// `%name;` in the internal DTD subset.
    var parameterReferences = 0

    /// One short line per kind of fix made.
    var notes: [String] {
        var notes: [String] = []
        func add(_ count: Int, _ text: String) { if count > 0 { notes.append("\(count) \(text)") } }
        add(leadingText, "bytes before the root element dropped")
        add(declarations, "misplaced or malformed XML declaration(s) dropped")
        add(trailingContent, "bytes after the root element dropped")
        add(forbiddenCharacters, "control character(s) or U+FFFE/U+FFFF removed")
        add(strayAmpersands, "stray '&' escaped")
        add(unknownEntities, "unknown entity reference(s) escaped (&\(firstUnknownEntity);)")
        add(forbiddenReferences, "reference(s) to characters XML forbids removed")
        add(strayLessThan, "stray '<' escaped")
        add(cdataEnds, "']]>' in text escaped")
        add(unquotedValues, "attribute value(s) quoted")
        add(duplicateAttributes, "repeated attribute(s) dropped")
        add(tagFixes, "broken tag(s) mended")
        add(strayEndTags, "stray end tag(s) dropped")
        add(unclosedElements, "unclosed element(s) closed")
        add(truncatedElements, "element(s) still open where the document ends (cut short?)")
        add(commentHyphens, "'--' in comments split")
        add(parameterReferences, "parameter entity reference(s) dropped from the DOCTYPE")
        return notes
    }
}
