import CSystem

/// glibc's malloc hands document-sized buffers back to the kernel as soon as they are freed
/// (mmap above 128 KiB, heap trimming), so the next poll's parse pays a page fault for every
/// 4 KiB it touches again: measured here at ~10% of parse time. A poller parses documents of
/// similar size over and over, so HubDiffer keeps that memory: allocations up to 64 MiB come
/// from the heap, and the heap is trimmed only above 256 MiB free at its top.
enum AllocatorTuning {
    static func apply() {
        hd_malloc_keep_memory(64 << 20, 256 << 20)
    }

    /// Gives the memory freed by a one-off peak (loading a million-line feeds file) back to
    /// the kernel, which the trim threshold above would otherwise keep.
    static func releaseFreeMemory() {
        _ = malloc_trim(0)
    }
}
