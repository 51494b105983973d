/// The nginx.conf of an `NginxProcess`: everything (pid, logs, temp paths, docroot) inside one
/// directory, a static docroot with ETags and gzip for the feed types.
enum NginxConfig {
    /// The access log's format in TLS mode, one request a line, fields split by single spaces
    /// (`-` for an empty one), the URI last: connection serial number, requests on it so far,
    /// `$ssl_session_reused` (`r` or `.`), `$ssl_protocol`, `$server_protocol`, `$status`,
    /// `$request_uri`. Parsed by `NginxAccessLine.init?(line:)`.
    static let accessLogFormat =
        "$connection $connection_requests $ssl_session_reused $ssl_protocol $server_protocol $status $request_uri"

    /// `moreAddresses`: loopback addresses listened on besides 127.0.0.1 (127.0.0.2, …), the
    /// same port: as many hosts as a test needs. `tls`: HTTPS only on those addresses, with an
    /// access log (`directory/access.log`, `accessLogFormat`); otherwise plain HTTP, no access log.
    static func render(
        directory: String, port: Int, workers: Int, asRoot: Bool, moreAddresses: [String] = [], tls: NginxTLS? = nil
    ) -> String {
        let temp = "\(directory)/temp"
        let listenOptions = tls.map { " ssl" + ($0.http2 ? " http2" : "") } ?? ""
        return """
            # Written by TestSupport.NginxProcess.
            \(asRoot ? "user root;  # nginx only honours `user` as root; the default (nobody) cannot read the 0700 temp dir\n" : "")\
            worker_processes \(max(1, workers));
            error_log "\(directory)/error.log" warn;
            pid "\(directory)/nginx.pid";
            lock_file "\(directory)/nginx.lock";

            events {
                worker_connections 1024;
            }

            http {
            \(tls == nil ? "    access_log off;\n" : tlsLogging(directory: directory))\
                client_body_temp_path "\(temp)/client_body";
                proxy_temp_path "\(temp)/proxy";
                fastcgi_temp_path "\(temp)/fastcgi";
                uwsgi_temp_path "\(temp)/uwsgi";
                scgi_temp_path "\(temp)/scgi";

                etag on;
                gzip on;
                gzip_types application/rss+xml application/atom+xml application/xml text/xml application/feed+json;
                gzip_min_length 0;
                keepalive_timeout 60;
                keepalive_requests 1000000;

                types {
                    application/rss+xml xml;
                    application/atom+xml atom;
                    application/feed+json json;
                    text/plain txt;
                }
                default_type application/octet-stream;

                server {
                    listen 127.0.0.1:\(port)\(listenOptions);
            \(moreAddresses.map { "        listen \($0):\(port)\(listenOptions);\n" }.joined())
            \(tls.map(tlsServer) ?? "")\
                    root "\(directory)/www";
                }
            }

            """
    }

    private static func tlsLogging(directory: String) -> String {
        """
            log_format tls '\(accessLogFormat)';
            access_log "\(directory)/access.log" tls;

        """
    }

    /// The server block's TLS directives. nginx 1.22 offers TLS 1.0–1.2 unless told, so the
    /// protocols are always named.
    private static func tlsServer(_ tls: NginxTLS) -> String {
        var lines = [
            "ssl_certificate \"\(tls.certificateFile)\";",
            "ssl_certificate_key \"\(tls.keyFile)\";",
            "ssl_protocols \(tls.protocols.joined(separator: " "));",
        ]
        if tls.sessionResumption {
            lines += ["ssl_session_cache shared:SSL:10m;", "ssl_session_timeout 10m;", "ssl_session_tickets on;"]
        } else {
            lines += ["ssl_session_cache off;", "ssl_session_tickets off;"]
        }
        if !tls.keepalive { lines.append("keepalive_timeout 0;") }
        // A place to POST to (an HTTPS sink's endpoint): 204, the request in the access log.
        lines.append("location = /sink { return 204; }")
        return lines.map { "        \($0)\n" }.joined()
    }
}

/// The TLS mode of an `NginxProcess`: the certificate it serves and how it treats connections.
public struct NginxTLS: Sendable, Hashable {
    /// The server certificate (PEM; may be followed by intermediates).
    public var certificateFile: String
    /// Its private key (PEM).
    public var keyFile: String
    /// Whether HTTP/2 is offered (ALPN `h2`; `listen … ssl http2`).
    public var http2: Bool
    /// false: `keepalive_timeout 0`, every request on a new connection (and TLS handshake).
    public var keepalive: Bool
    /// true: a shared session cache and session tickets, so a returning client can resume;
    /// false: `ssl_session_cache off` and no tickets, every handshake a full one.
    public var sessionResumption: Bool
    /// `ssl_protocols`: `TLSv1.2`, `TLSv1.3`, ….
    public var protocols: [String]

    public init(
        certificateFile: String, keyFile: String, http2: Bool = false, keepalive: Bool = true,
        sessionResumption: Bool = true, protocols: [String] = ["TLSv1.2", "TLSv1.3"]
    ) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.http2 = http2
        self.keepalive = keepalive
        self.sessionResumption = sessionResumption
        self.protocols = protocols
    }

    /// Serving `pair` (e.g. `TestCertificates.server`, or `.expired` for a broken world).
    public init(
        _ pair: CertificatePair, http2: Bool = false, keepalive: Bool = true, sessionResumption: Bool = true,
        protocols: [String] = ["TLSv1.2", "TLSv1.3"]
    ) {
        self.init(
            certificateFile: pair.certificateFile, keyFile: pair.keyFile, http2: http2, keepalive: keepalive,
            sessionResumption: sessionResumption, protocols: protocols)
    }
}
