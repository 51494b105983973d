import Foundation

/// The secret that routes changing things on the control endpoint may require
/// (`Authorization: Bearer TOKEN`, RFC 6750), compared in constant time.
public struct BearerToken: Sendable {
    /// The environment variable both the daemon and `hubdiffer feeds` read the token from
    /// when no token file is given.
    public static let environmentVariable = "HUBDIFFER_CONTROL_TOKEN"

    private let secret: [UInt8]

    /// Why a token file cannot be used.
    public struct FileProblem: Error, CustomStringConvertible {
        /// The file cannot be read at all (rather than read and found empty).
        public let isUnreadable: Bool
        public let description: String
    }

    /// A token; nil when `text` (trimmed of surrounding white space) is empty.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        secret = Array(trimmed.utf8)
    }

    /// The token in `path` (its first line; surrounding white space ignored).
    public static func read(from path: String) throws(FileProblem) -> BearerToken {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileProblem(isUnreadable: true, description: "token file \(path) cannot be read: check the path and its permissions")
        }
        let firstLine = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard let token = BearerToken(firstLine) else { throw FileProblem(isUnreadable: false, description: "token file \(path) is empty: put the token on its first line") }
        return token
    }

    /// Whether `request` carries this token.
    public func admits(_ request: ControlRequest) -> Bool {
        guard let field = request.headers["Authorization"] else { return false }
        let words = field.split(separator: " ", maxSplits: 1)
        guard words.count == 2, words[0].lowercased() == "bearer" else { return false }
        let offered = Array(words[1].trimmingCharacters(in: .whitespaces).utf8)
        // Constant time in the secret's length: a wrong token's first bytes tell nothing.
        var difference: UInt8 = 0
        for index in secret.indices {
            difference |= secret[index] ^ (index < offered.count ? offered[index] : 0)
        }
        return difference == 0 && offered.count == secret.count
    }

    /// The `Authorization` field's value a client sends.
    public var authorizationValue: String { "Bearer " + String(decoding: secret, as: UTF8.self) }
}
