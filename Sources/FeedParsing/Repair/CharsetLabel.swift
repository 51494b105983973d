/// A charset name (from an XML declaration or an HTTP header), sorted by how it is decoded.
enum CharsetLabel: Sendable, Equatable {
    /// UTF-8, and US-ASCII (a subset; 8-bit bytes in it are treated as in a UTF-8 document).
    case utf8
    /// ISO-8859-1 and windows-1252: decoded here as windows-1252.
    case windows1252
    /// UTF-16, UTF-32, UCS-2, UCS-4 in any byte order.
    case wide
    /// Anything else libxml2 can decode (the name to hand it, possibly a superset: gb2312 →
    /// GB18030), and whether its ASCII bytes mean ASCII.
    case other(name: String, asciiCompatible: Bool)
    /// A name that no decoder here knows.
    case unknown(String)

    private static let utf8Names: Set<String> = [
        "utf-8", "utf8", "unicode-1-1-utf-8", "us-ascii", "ascii", "ansi-x3.4-1968", "iso646-us",
        "us", "iso-ir-6", "cp367", "ibm367", "csascii",
    ]
    private static let windows1252Names: Set<String> = [
        "iso-8859-1", "iso8859-1", "iso-8859-1:1987", "latin1", "latin-1", "l1", "cp819", "ibm819",
        "iso-ir-100", "csisolatin1", "windows-1252", "cp1252", "x-cp1252",
    ]
    private static let wideNames: Set<String> = [
        "u16", "u32", "unicode", "csunicode", "csucs4", "unicodefffe", "unicodefeff",
    ]
    private static let wideNamePrefixes = ["utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4", "ucs4", "iso-10646-ucs-"]
    /// Encodings in which a byte below 0x80 is always that ASCII character (so an all-ASCII
    /// document needs no decoding). Not ISO-2022 (escape sequences), HZ, UTF-7 or EBCDIC.
    private static let asciiCompatiblePrefixes = [
        "iso-8859-", "iso8859-", "windows-", "cp125", "koi8", "shift-jis", "shift_jis", "sjis", "cp932",
        "ms-kanji", "euc", "gb", "big5", "tis-620", "cp874", "ks-c-5601", "cp949", "uhc", "mac", "x-mac",
    ]

    /// Classifies `raw` (case, surrounding space and quotes do not matter; `_` is read as `-`).
    /// Nil when it is empty.
    init?(_ raw: String) {
        // The label nearly every document writes, read without building a key.
        if raw == "UTF-8" || raw == "utf-8" {
            self = .utf8
            return
        }
        let trimmed = raw.trimmingASCII(" \t\r\n\"'")
        guard !trimmed.isEmpty else { return nil }
        let key = String(trimmed.lowercased().map { $0 == "_" ? "-" : $0 })
        if Self.utf8Names.contains(key) {
            self = .utf8
        } else if Self.windows1252Names.contains(key) {
            self = .windows1252
        } else if Self.wideNames.contains(key) || Self.wideNamePrefixes.contains(where: key.hasPrefix) {
            self = .wide
        } else {
            let name = key == "gb2312" || key == "gbk" || key == "x-gbk" ? "GB18030" : trimmed
            guard EncodingDetection.decoderExists(for: name) else {
                self = .unknown(trimmed)
                return
            }
            self = .other(name: name, asciiCompatible: Self.asciiCompatiblePrefixes.contains(where: key.hasPrefix))
        }
    }
}

extension String {
    /// The string without the given ASCII characters at either end.
    fileprivate func trimmingASCII(_ characters: String) -> String {
        let bytes = utf8
        let kept = { (byte: UInt8) in !characters.utf8.contains(byte) }
        guard let first = bytes.firstIndex(where: kept), let last = bytes.lastIndex(where: kept) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
