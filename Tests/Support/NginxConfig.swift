/// The nginx.conf of an `NginxProcess`: everything (pid, logs, temp paths, docroot) inside one
/// directory, a static docroot with ETags and gzip for the feed types.
enum NginxConfig {
    /// `moreAddresses`: loopback addresses listened on besides 127.0.0.1 (127.0.0.2, …), the
    /// same port: as many hosts as a test needs.
    static func render(directory: String, port: Int, workers: Int, asRoot: Bool, moreAddresses: [String] = []) -> String {
        let temp = "\(directory)/temp"
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
                access_log off;
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
                    listen 127.0.0.1:\(port);
            \(moreAddresses.map { "        listen \($0):\(port);\n" }.joined())
                    root "\(directory)/www";
                }
            }

            """
    }
}
