import CCurl

/// What each transfer's easy handle is set to, for one ``CurlMulti`` loop: the options of a
/// poll or a POST, and the loop's own values behind them (the share handle, the CA file, the
/// Accept header list built once). With CurlMulti.swift and CurlCallbacks.swift, the only
/// Swift code that touches libcurl pointers.
///
/// Used on the loop thread only (see ``CurlMulti``); the header list is freed by the loop's
/// `deinit`, after every handle that used it.
struct CurlEasyOptions {
    private let options: FetcherOptions
    private let share: UnsafeMutableRawPointer
    /// The request headers of a poll without validators, built once; nil when memory ran out.
    let acceptOnly: UnsafeMutablePointer<curl_slist>?
    /// The CA file every HTTPS transfer verifies against (the option, else libcurl's default).
    private let caFile: String?

    init(options: FetcherOptions, share: UnsafeMutableRawPointer) {
        self.options = options
        self.share = share
        acceptOnly = Self.headerList(RequestHeaderLines.poll(Validators()))
        caFile = options.caFile ?? Self.defaultCAFile
    }

    /// libcurl's built-in CA file (`/etc/ssl/certs/ca-certificates.crt` on Debian), asked once;
    /// nil when libcurl has none or will not say (then libcurl's own default applies).
    private static let defaultCAFile: String? = {
        guard let easy = curl_easy_init() else { return nil }
        defer { curl_easy_cleanup(easy) }
        var path: UnsafeMutablePointer<CChar>?
        do throws(CurlError) {
            try CurlError.check(hd_curl_easy_getinfo_string(easy, CURLINFO_CAINFO, &path), "CAINFO")
        } catch {
            return nil
        }
        return path.map { String(cString: $0) }
    }()

    /// How long libcurl keeps the parsed CA store for reuse by later connections (a day: the
    /// file is read again after that, so an updated bundle is picked up).
    private static let caCacheSeconds = 86_400

    /// Sets every option of `transfer` on `easy`, its callbacks getting `context` (the
    /// transfer, unretained); builds the transfer's header list when it needs one of its own.
    /// Returns what libcurl refused, each with its reason: empty when every option took. Every
    /// option must take, or the transfer does not start: a poll without its timeout, its size
    /// cap or its address check must never run.
    func apply(to easy: UnsafeMutableRawPointer, for transfer: Transfer, context: UnsafeMutableRawPointer) -> [String] {
        var refused: [String] = []
        func set(_ name: String, _ code: CURLcode) {
            do throws(CurlError) { try CurlError.check(code, name) } catch { refused.append(error.description) }
        }
        set("URL", hd_curl_easy_setopt_string(easy, CURLOPT_URL, transfer.url))
        set("ERRORBUFFER", hd_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer))
        set("WRITEFUNCTION", hd_curl_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, CurlCallbacks.writeBody))
        set("WRITEDATA", hd_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        set("HEADERFUNCTION", hd_curl_easy_setopt_header_callback(easy, CurlCallbacks.takeHeader))
        set("HEADERDATA", hd_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        set("OPENSOCKETFUNCTION", hd_curl_easy_setopt_opensocket_callback(easy, CurlCallbacks.openSocket))
        set("OPENSOCKETDATA", hd_curl_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, context))
        set("PROTOCOLS_STR", hd_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        set("REDIR_PROTOCOLS_STR", hd_curl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        set("MAXFILESIZE_LARGE", hd_curl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(transfer.bodyLimit)))
        set("SHARE", hd_curl_easy_setopt_share(easy, share))
        // No idle connection kept: libcurl takes a cache size of 0 as "its default", so say it here.
        set("FORBID_REUSE", hd_curl_easy_setopt_long(easy, CURLOPT_FORBID_REUSE, options.idleConnections == 0 ? 1 : 0))
        set("NOSIGNAL", hd_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        set("USERAGENT", hd_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, options.userAgent))
        set("CONNECTTIMEOUT_MS", hd_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout.wholeMilliseconds)))
        set("TIMEOUT_MS", hd_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, Int((transfer.deadline - .now).wholeMilliseconds))))
        // HTTP/2 where ALPN offers it, and then wait for a connection that can multiplex rather
        // than open another; HTTP/1.1 only when it is off.
        let version = options.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1
        set("HTTP_VERSION", hd_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(version)))
        set("PIPEWAIT", hd_curl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, options.http2 ? 1 : 0))
        // The CA store is parsed once and cached in the multi handle: CAPATH cleared (Debian's
        // libcurl sets a default directory, which turns the cache off), CAINFO the one file.
        // Parsing the ~140 certificates of the system bundle on every connection cost 33 ms.
        if let caFile {
            set("CAINFO", hd_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile))
            set("CAPATH", hd_curl_easy_setopt_null(easy, CURLOPT_CAPATH))
            set("CA_CACHE_TIMEOUT", hd_curl_easy_setopt_long(easy, CURLOPT_CA_CACHE_TIMEOUT, Self.caCacheSeconds))
        }
        switch transfer.kind {
        case .poll(let request, _):
            set("MAXREDIRS", hd_curl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, options.maximumRedirects))
            set("FOLLOWLOCATION", hd_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1))
            set("ACCEPT_ENCODING", hd_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""))  // all this libcurl decodes
            let validators = request.validators
            if validators.etag == nil && validators.lastModified == nil {
                set("HTTPHEADER", hd_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, acceptOnly))
            } else {
                transfer.headerList = Self.headerList(RequestHeaderLines.poll(validators))
                if transfer.headerList == nil { refused.append("HTTPHEADER (no memory)") }
                set("HTTPHEADER", hd_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, transfer.headerList))
            }
        case .post(let request, _):
            // No redirect is followed: a 3xx is the answer.
            set("FOLLOWLOCATION", hd_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
            set("MAXREDIRS", hd_curl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, 0))
            // The size first, then a copy libcurl owns (the body may hold NULs; nothing here
            // must outlive this call). An empty body is an empty string, never NULL (NULL
            // would make libcurl read the body from its read callback: standard input).
            set("POSTFIELDSIZE_LARGE", hd_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            set(
                "COPYPOSTFIELDS",
                request.body.isEmpty
                    ? hd_curl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
                    : request.body.withUnsafeBytes {
                        hd_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
                    })
            transfer.headerList = Self.headerList(RequestHeaderLines.post(request))
            if transfer.headerList == nil { refused.append("HTTPHEADER (no memory)") }
            set("HTTPHEADER", hd_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, transfer.headerList))
        }
        return refused
    }

    /// A libcurl header list of `lines`; nil when memory ran out (nothing stays allocated then).
    private static func headerList(_ lines: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let longer = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                return nil
            }
            list = longer
        }
        return list
    }
}
