/// Resolves relative references the way RFC 3986 §5.2 says.
enum URLResolver {
    /// `reference` made absolute against `base`; `reference` itself (trimmed) when there is no base.
    static func resolve(_ reference: String, against base: String?) -> String {
        reference  // STUB
    }
}
