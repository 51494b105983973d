import Glibc

/// One line to standard error, for the journals' write failures (they have no logger: they
/// run on queues of their own and must say what happened even while logging is broken).
enum StandardErrorLine {
    static func write(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // nowhere else to say it
            offset += written
        }
    }
}
