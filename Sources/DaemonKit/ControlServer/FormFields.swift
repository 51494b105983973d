import URLEncoding

/// Decoded `name=value` pairs of an `application/x-www-form-urlencoded` body or of a query
/// string: `+` is a space and `%XX` a byte; the bytes must be UTF-8.
public struct FormFields: Sendable, Equatable {
    /// One pair, decoded.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Every pair, in order; a name may repeat. Empty segments (`a=1&&b=2`) are skipped.
    public let fields: [Field]

    public init(_ fields: [Field] = []) { self.fields = fields }

    /// Decodes `encoded` (a body, or a query string without the `?`).
    public init(decoding encoded: some Collection<UInt8>) throws(FormDecodingError) {
        var fields: [Field] = []
        for segment in encoded.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = segment.firstIndex(of: UInt8(ascii: "="))
            let name = try Self.decodeComponent(segment[..<(equals ?? segment.endIndex)])
            let value = try equals.map { index throws(FormDecodingError) in
                try Self.decodeComponent(segment[segment.index(after: index)...])
            }
            fields.append(Field(name: name, value: value ?? ""))
        }
        self.fields = fields
    }

    /// Decodes `encoded` as UTF-8 text; see ``init(decoding:)-(Collection<UInt8>)``.
    public init(decoding encoded: String) throws(FormDecodingError) {
        try self.init(decoding: Array(encoded.utf8))
    }

    /// The value of the first pair called `name` (exact match), or nil.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The values of every pair called `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// The pairs as an `application/x-www-form-urlencoded` body or query (without `?`): every
    /// byte outside `A-Z a-z 0-9 - . _ ~` percent-encoded, what ``init(decoding:)-(String)`` reads back.
    public var encoded: String {
        fields.map { "\(PercentEncoding.encode($0.name))=\(PercentEncoding.encode($0.value))" }.joined(separator: "&")
    }

    /// One name or value: `+` as space, then percent-decoding, then UTF-8 validation.
    static func decodeComponent(_ bytes: some Collection<UInt8>) throws(FormDecodingError) -> String {
        try PercentDecoding.decode(bytes, plusAsSpace: true)
    }
}

/// Why a form body, a query or a path could not be decoded.
public enum FormDecodingError: Error, Equatable, CustomStringConvertible {
    /// A `%` not followed by two hex digits; the text around it.
    case invalidPercentEncoding(String)
    /// The decoded bytes are not UTF-8.
    case invalidUTF8
    /// The request's `Content-Type` is not `application/x-www-form-urlencoded`; what it was.
    case notFormEncoded(contentType: String?)

    public var description: String {
        switch self {
        case .invalidPercentEncoding(let text): "bad percent-encoding in \"\(text)\" (a % must be followed by two hex digits)"
        case .invalidUTF8: "the decoded text is not UTF-8"
        case .notFormEncoded(let type):
            "expected Content-Type application/x-www-form-urlencoded, got \(type.map { "\"\($0)\"" } ?? "none")"
        }
    }
}

/// `%XX` decoding of form fields and request paths: ``PercentEncoding`` with this module's
/// errors, which quote the text that could not be decoded.
enum PercentDecoding {
    static func decode(_ bytes: some Collection<UInt8>, plusAsSpace: Bool) throws(FormDecodingError) -> String {
        do {
            return try PercentEncoding.decode(bytes, plusAsSpace: plusAsSpace)
        } catch {
            switch error {
            case .malformedEscape: throw .invalidPercentEncoding(String(decoding: bytes, as: UTF8.self))
            case .notUTF8: throw .invalidUTF8
            }
        }
    }
}
