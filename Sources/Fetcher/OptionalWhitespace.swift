extension StringProtocol {
    /// The text without the optional white space around it: spaces and tabs, the only white
    /// space an HTTP field value may have there (OWS, RFC 9110 §5.6.3).
    var trimmingOptionalWhitespace: String {
        let text = Substring(self)
        let isContent = { (byte: UInt8) in byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") }
        guard let first = text.utf8.firstIndex(where: isContent), let last = text.utf8.lastIndex(where: isContent) else {
            return ""
        }
        return String(text[first...last])
    }
}
