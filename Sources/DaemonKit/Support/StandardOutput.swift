import CSystem

/// Standard output's buffering.
public enum StandardOutput {
    /// Flushes standard output at every line, even into a file or a pipe, so that a long
    /// command's progress shows while it runs. (setvbuf(3) fails only for a bad mode: the
    /// output then stays buffered as before, which is not worth stopping for.)
    public static func flushEveryLine() {
        _ = hd_line_buffer_stdout()
    }
}
