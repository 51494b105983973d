/// An IPv4 or IPv6 range in CIDR notation (`10.0.0.0/8`, `fd00::/8`), or one address (`::1`).
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// Why a text is not a range.
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The network's bytes (4 or 16), with the bits past the prefix cleared.
    public let network: [UInt8]
    public let prefixLength: Int

    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = AddressPolicy.bytes(of: String(parts[0])) else {
            throw ParseError(description: "`\(text)` is not an IP address or a CIDR range (write 10.0.0.0/8, 127.0.0.1 or fd00::/8)")
        }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...bits).contains(given) else {
                throw ParseError(description: "`\(text)`: the prefix length must be 0 to \(bits)")
            }
            length = given
        }
        prefixLength = length
        network = Self.masked(address, length)
    }

    /// Whether `bytes` (an address of the same family) is in the range.
    public func contains(_ bytes: [UInt8]) -> Bool {
        bytes.count == network.count && Self.masked(bytes, prefixLength) == network
    }

    public var description: String { "\(AddressPolicy.text(network))/\(prefixLength)" }

    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, length - index * 8))
            return kept == 8 ? byte : byte & ~(0xFF >> kept)
        }
    }
}
