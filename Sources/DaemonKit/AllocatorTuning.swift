import CSystem
import Foundation

/// glibc's malloc hands document-sized buffers back to the kernel as soon as they are freed
/// (mmap above 128 KiB, heap trimming), so the next poll's parse pays a page fault for every
/// 4 KiB it touches again: measured here at ~10% of parse time. A poller parses documents of
/// similar size over and over, so HubDiffer keeps that memory: allocations up to 8 MiB come
/// from the heap (libxml2's copy of a 4 MB document included; the real-world corpus tops out
/// at 2.2 MB), and the heap is trimmed only above 256 MiB free at its top. Larger bodies, rare,
/// get pages of their own and give them back when freed: at 64 MiB a burst of 9 MB bodies
/// left the arenas fragmented, 25 MB over what was live (300 such feeds under a 128 MB body
/// budget peaked at 221 MB resident, 197 MB with 8 MiB).
public enum AllocatorTuning {
    /// Sets malloc as said above. When glibc refuses a setting it keeps its default for it,
    /// which costs parse time and nothing else: said on standard error (logging is not set up
    /// yet when this runs), and the daemon goes on.
    public static func apply() {
        guard hd_malloc_tune_for_polling() == 0 else { return }
        FileHandle.standardError.write(
            Data("hubdiffer: glibc refused the malloc settings (mallopt); running with its defaults\n".utf8))
    }

    /// Gives the memory freed by a one-off peak (loading a million-line feeds file) back to
    /// the kernel, which the trim threshold above would otherwise keep. Returns what
    /// malloc_trim(3) says: whether any memory went back. That is no error either way (none
    /// was free to give back), so callers may ignore it.
    @discardableResult
    public static func releaseFreeMemory() -> Bool {
        malloc_trim(0) == 1
    }
}
