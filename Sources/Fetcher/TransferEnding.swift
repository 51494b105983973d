import CCurl

extension Transfer {
    /// How libcurl ended a transfer, in the terms the classification of its outcome needs.
    enum Ending {
        case complete, bodyTooLarge, writeRefused, couldNotConnect, tooManyRedirects, unsupportedProtocol, timeout, badURL
        case headerTooLarge, aborted, certificate, caFile, other

        /// libcurl's result code, sorted.
        init(_ code: CURLcode) {
            switch code {
            case CURLE_OK: self = .complete
            case CURLE_FILESIZE_EXCEEDED: self = .bodyTooLarge
            case CURLE_WRITE_ERROR: self = .writeRefused
            case CURLE_COULDNT_CONNECT: self = .couldNotConnect
            case CURLE_TOO_MANY_REDIRECTS: self = .tooManyRedirects
            case CURLE_UNSUPPORTED_PROTOCOL: self = .unsupportedProtocol
            case CURLE_OPERATION_TIMEDOUT: self = .timeout
            case CURLE_URL_MALFORMAT: self = .badURL
            // libcurl 7.88 answers a header line over CURL_MAX_HTTP_HEADER (100 KB) with
            // CURLE_OUT_OF_MEMORY; a real allocation failure is far less likely than that.
            case CURLE_OUT_OF_MEMORY: self = .headerTooLarge
            case CURLE_ABORTED_BY_CALLBACK: self = .aborted
            case CURLE_PEER_FAILED_VERIFICATION: self = .certificate
            case CURLE_SSL_CACERT_BADFILE: self = .caFile
            default: self = .other
            }
        }
    }
}
