/// A document's bytes made ready for libxml2.
struct PreparedDocument: Sendable {
    /// UTF-8 bytes when `encoding` is nil; otherwise bytes in `encoding`, for libxml2 to decode.
    var bytes: [UInt8]
    /// An encoding name to hand to libxml2 (it must then ignore the document's declaration).
    /// Nil: `bytes` are UTF-8 already.
    var encoding: String?
    /// What was changed, one short line each (empty when nothing was).
    var notes: [String]
    /// True when the bytes were taken as UTF-8 without checking them (see
    /// ``DocumentRepair/normaliseEncoding(_:httpCharset:verifyUTF8:)``).
    var utf8Unverified = false
}

/// The two repair passes a feed document may go through before libxml2 reads it.
///
/// How the encoding is chosen (pass 1):
/// 1. A byte order mark decides, whatever the labels say. Without one, zero bytes around the
///    first ASCII characters mean UTF-16 or UTF-32 (XML 1.0 appendix F). UTF-16 and UTF-32 are
///    transcoded here.
/// 2. Otherwise the HTTP charset wins over the XML declaration (RFC 3023, as feedparser does
///    for both `application/*xml` and `text/*xml`), with two exceptions decided by the bytes:
///    when the document is UTF-8 by its own account (declared, or undeclared which means UTF-8)
///    and its bytes are valid UTF-8 with non-ASCII in them, the HTTP charset is ignored (a server
///    default is far likelier than text in another encoding that happens to be valid UTF-8);
///    and when the HTTP charset is UTF-8 but the bytes are not, a different declared encoding
///    is used. Unknown names are ignored; a UTF-16/32 label on single-byte text is ignored.
/// 3. UTF-8 and US-ASCII: well-formed sequences are kept, every other byte is read as
///    windows-1252 (per byte, not the whole document as feedparser does: feeds that paste
///    latin-1 text into UTF-8 keep both). ISO-8859-1 and windows-1252: decoded here as
///    windows-1252, as browsers do. Any other encoding libxml2 knows is left to it.
enum DocumentRepair {
    /// Pass 1, for every document: decide the encoding (BOM, XML declaration, HTTP charset)
    /// and return UTF-8 bytes; sequences that are not UTF-8 in a document labelled UTF-8 are
    /// read as windows-1252.
    ///
    /// A document with no byte order mark or a UTF-8 one, labelled UTF-8 or US-ASCII or not at
    /// all, whose bytes are valid UTF-8, comes back as the same array (byte order mark included),
    /// with no notes: that costs one validation pass.
    ///
    /// `verifyUTF8` false skips the UTF-8 check of a document that says it is UTF-8 (or says
    /// nothing) and has no conflicting HTTP charset: libxml2 checks every byte anyway, and a
    /// document it finds damaged is prepared again with the check (``PreparedDocument/utf8Unverified``).
    static func normaliseEncoding(_ bytes: [UInt8], httpCharset: String?, verifyUTF8: Bool = true) -> PreparedDocument {
        let (signature, declared) = bytes.withUnsafeBufferPointer { buffer in
            let signature = ByteSignature(buffer)
            return (signature, signature == .none ? EncodingDetection.declaredEncoding(buffer) : nil)
        }
        switch signature {
        case .utf8BOM:
            return asUTF8(bytes, from: 3, scan: nil, notes: [])
        case .wide(let form, let bomLength):
            let (utf8, replaced) = UnicodeTranscoding.toUTF8(bytes, from: bomLength, form: form)
            var notes = ["\(form.name) (\(bomLength > 0 ? "byte order mark" : "detected")) transcoded to UTF-8"]
            if replaced > 0 { notes.append("\(replaced) invalid \(form.name) code units replaced by U+FFFD") }
            return PreparedDocument(bytes: utf8, encoding: nil, notes: notes)
        case .ebcdic:
            if EncodingDetection.decoderExists(for: "IBM037") {
                return PreparedDocument(bytes: bytes, encoding: "IBM037", notes: [])
            }
            return asUTF8(bytes, from: 0, scan: nil, notes: ["EBCDIC document with no decoder, read as UTF-8"])
        case .none:
            break
        }

        var notes: [String] = []
        var label = CharsetLabel.utf8
        if let declared, let declaredLabel = CharsetLabel(declared) {
            if case .unknown(let name) = declaredLabel {
                notes.append("unknown encoding '\(name)' read as UTF-8")
            } else {
                label = declaredLabel
            }
        }
        var scan: UTF8Scan?
        if let httpCharset, let httpLabel = CharsetLabel(httpCharset), httpLabel != label {
            if case .unknown(let name) = httpLabel {
                notes.append("unknown HTTP charset '\(name)' ignored")
            } else {
                let found = UTF8Validation.scan(bytes)
                scan = found
                switch (label, httpLabel, found) {
                case (_, _, .ascii) where httpLabel.readsASCII && label.readsASCII:
                    break  // both read these bytes the same way
                case (.utf8, _, .valid):
                    notes.append("HTTP charset '\(httpCharset)' ignored: the document is UTF-8")
                case (_, .utf8, .invalid):
                    notes.append("HTTP charset '\(httpCharset)' ignored: the bytes are not UTF-8")
                default:
                    label = httpLabel
                }
            }
        }

        switch label {
        case .utf8 where !verifyUTF8 && scan == nil:
            return PreparedDocument(bytes: bytes, encoding: nil, notes: notes, utf8Unverified: true)
        case .utf8, .unknown:
            return asUTF8(bytes, from: 0, scan: scan, notes: notes)
        case .wide:
            notes.append("labelled '\(declared ?? httpCharset ?? "UTF-16")' but single-byte: read as UTF-8")
            return asUTF8(bytes, from: 0, scan: scan, notes: notes)
        case .windows1252:
            if (scan ?? UTF8Validation.scan(bytes)) == .ascii {
                return PreparedDocument(bytes: bytes, encoding: nil, notes: notes)
            }
            notes.append("decoded as windows-1252")
            return PreparedDocument(bytes: Windows1252.decode(bytes), encoding: nil, notes: notes)
        case .other(let name, let asciiCompatible):
            if asciiCompatible && (scan ?? UTF8Validation.scan(bytes)) == .ascii {
                return PreparedDocument(bytes: bytes, encoding: nil, notes: notes)
            }
            return PreparedDocument(bytes: bytes, encoding: name, notes: notes)
        }
    }

    /// `bytes[start...]` as UTF-8: the same array when valid, else repaired.
    private static func asUTF8(_ bytes: [UInt8], from start: Int, scan: UTF8Scan?, notes: [String]) -> PreparedDocument {
        let found = scan ?? bytes.withUnsafeBufferPointer { UTF8Validation.scan($0, from: start) }
        guard case .invalid(let firstBad) = found else {
            return PreparedDocument(bytes: bytes, encoding: nil, notes: notes)
        }
        let (repaired, count) = UTF8Validation.repair(bytes, from: start, firstBad: firstBad)
        return PreparedDocument(
            bytes: repaired, encoding: nil,
            notes: notes + ["\(count) invalid UTF-8 byte\(count == 1 ? "" : "s") read as windows-1252"])
    }

    /// Pass 2, only for a document libxml2 found damaged: fix markup that XML forbids but feeds
    /// carry (stray `&`, unknown entity names, control characters, text before the XML
    /// declaration) so that the recovering parse loses as little as possible.
    ///
    /// See ``MarkupRepair`` for every fix. Content of comments, CDATA sections and processing
    /// instructions is left as it is, except for characters XML forbids everywhere.
    static func repairMarkup(_ utf8: [UInt8]) -> (bytes: [UInt8], notes: [String]) {
        MarkupRepair.repair(utf8)
    }
}

extension CharsetLabel {
    /// Whether an all-ASCII document reads as ASCII in this encoding.
    fileprivate var readsASCII: Bool {
        switch self {
        case .utf8, .windows1252: true
        case .other(_, let asciiCompatible): asciiCompatible
        case .wide, .unknown: false
        }
    }
}
