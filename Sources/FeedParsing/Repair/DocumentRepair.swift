/// A document's bytes made ready for libxml2.
struct PreparedDocument: Sendable {
    /// UTF-8 bytes when `encoding` is nil; otherwise bytes in `encoding`, for libxml2 to decode.
    var bytes: [UInt8]
    /// An encoding name to hand to libxml2 (it must then ignore the document's declaration).
    /// Nil: `bytes` are UTF-8 already.
    var encoding: String?
    /// What was changed, one short line each (empty when nothing was).
    var notes: [String]
}

enum DocumentRepair {
    /// Pass 1, for every document: decide the encoding (BOM, XML declaration, HTTP charset)
    /// and return UTF-8 bytes; sequences that are not UTF-8 in a document labelled UTF-8 are
    /// read as windows-1252.
    static func normaliseEncoding(_ bytes: [UInt8], httpCharset: String?) -> PreparedDocument {
        PreparedDocument(bytes: bytes, encoding: nil, notes: [])  // STUB
    }

    /// Pass 2, only for a document libxml2 found damaged: fix markup that XML forbids but feeds
    /// carry (stray `&`, unknown entity names, control characters, text before the XML
    /// declaration) so that the recovering parse loses as little as possible.
    static func repairMarkup(_ utf8: [UInt8]) -> (bytes: [UInt8], notes: [String]) {
        (utf8, [])  // STUB
    }
}
