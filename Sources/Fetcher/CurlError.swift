import CCurl

/// A libcurl call that did not succeed: what was asked, and libcurl's words for its result.
///
/// Every result code libcurl returns to the fetcher goes through `check(_:_:)`, one
/// overload per code type (easy, multi, share); what a failure means — the transfer fails,
/// the loop ends, a hint is done without — is decided where it is caught, in ``CurlMulti``.
struct CurlError: Error, CustomStringConvertible {
    /// The call or option that failed: `curl_multi_perform`, `URL` (for `CURLOPT_URL`).
    let call: String
    /// libcurl's text for the result code: "Out of memory".
    let reason: String

    var description: String { "\(call) (\(reason))" }

    /// Throws unless `code` is `CURLE_OK`.
    static func check(_ code: CURLcode, _ call: @autoclosure () -> String) throws(CurlError) {
        guard code != CURLE_OK else { return }
        throw CurlError(call: call(), reason: String(cString: curl_easy_strerror(code)))
    }

    /// Throws unless `code` is `CURLM_OK`.
    static func check(_ code: CURLMcode, _ call: @autoclosure () -> String) throws(CurlError) {
        guard code != CURLM_OK else { return }
        throw CurlError(call: call(), reason: String(cString: curl_multi_strerror(code)))
    }

    /// Throws unless `code` is `CURLSHE_OK`.
    static func check(_ code: CURLSHcode, _ call: @autoclosure () -> String) throws(CurlError) {
        guard code != CURLSHE_OK else { return }
        throw CurlError(call: call(), reason: String(cString: curl_share_strerror(code)))
    }
}
