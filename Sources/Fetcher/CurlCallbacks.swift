import CCurl
import Foundation

/// The functions libcurl calls back for a transfer of ``CurlMulti``, on its loop thread inside
/// `curl_multi_perform`: the body, the header lines, and the socket for each connection. Their
/// context is the ``Transfer`` (unretained: ``CurlMulti`` holds it while libcurl runs it). With
/// CurlMulti.swift, the only Swift code that touches libcurl pointers.
enum CurlCallbacks {
    /// Appends body bytes, or pauses or refuses the transfer as ``Transfer/admitBody(bytes:announcedLength:)``
    /// decides (a refusal aborts it; libcurl keeps the bytes of a paused one and offers them again
    /// on resumption).
    static let writeBody: curl_write_callback = { data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        switch transfer.admitBody(bytes: length, announcedLength: { CurlCallbacks.announcedLength(of: transfer) }) {
        case .refuse:
            return 0
        case .pause:
            return hd_curl_writefunc_pause()
        case .append:
            data.withMemoryRebound(to: UInt8.self, capacity: length) {
                transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
            return length
        }
    }

    /// The body length libcurl has from the response (Content-Length); nil when it does not know
    /// it or will not say.
    private static func announcedLength(of transfer: Transfer) -> Int? {
        guard let easy = transfer.easy else { return nil }
        var announced: curl_off_t = -1
        do throws(CurlError) {
            try CurlError.check(
                hd_curl_easy_getinfo_off_t(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced), "CONTENT_LENGTH_DOWNLOAD_T")
        } catch {
            return nil
        }
        return announced >= 0 ? Int(announced) : nil
    }

    /// Hands each header line to the transfer's collector.
    static let takeHeader: curl_write_callback = { data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            transfer.headers.take(UnsafeBufferPointer(start: $0, count: length))
        }
        return length
    }

    /// Opens the socket for a connection unless the address is refused: the check is on the
    /// address actually connected to, after DNS, for the first request and every redirect.
    static let openSocket: curl_opensocket_callback = { context, _, address in
        guard let context, let address else { return hd_curl_socket_bad() }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        var raw: (UInt64, UInt64) = (0, 0)
        let bytes = withUnsafeMutableBytes(of: &raw) { buffer -> [UInt8] in
            let count = hd_curl_sockaddr_bytes(address, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            return Array(buffer.prefix(Int(count)))
        }
        guard transfer.policy.permits(bytes) else {
            transfer.refusedAddress = bytes.isEmpty ? "a non-IP address" : AddressPolicy.text(bytes)
            return hd_curl_socket_bad()
        }
        return hd_curl_open_socket(address)
    }
}
