/// Feed IDs and the slots they occupy: which slot holds a feed, which feed a slot holds, and
/// the free slots to reuse.
///
/// An open-addressing hash table (linear probing, Fibonacci hashing, deletion by backward
/// shift, so no tombstones) whose buckets hold only 4-byte slot numbers; the keys are read
/// from `ids`, the slot-indexed array of IDs. At most 3/4 full, so 1,000,000 feeds take 2^21
/// buckets: 8 MB, plus 8 MB of IDs. A `Dictionary<Int64, Int32>` would take about 24 MB.
struct FeedSlots: Sendable {
    /// The ID in each slot; stale in free slots.
    private(set) var ids: [Int64] = []
    /// Slots given back by `remove`, reused first.
    private var freeSlots: [Int32] = []
    /// Slot numbers, or `empty`.
    private var buckets: [Int32]
    /// 64 − log2(buckets.count): the shift that turns a product into a bucket index.
    private var hashShift: Int
    /// How many IDs are in the table.
    private(set) var count = 0

    private static let empty: Int32 = -1
    private static let minimumBucketCount = 16

    init() {
        buckets = Array(repeating: Self.empty, count: Self.minimumBucketCount)
        hashShift = 64 - Self.minimumBucketCount.trailingZeroBitCount
    }

    /// How many slots exist, free or not; slot numbers are below it.
    var slotCount: Int { ids.count }

    /// The slot holding `id`, if any.
    func slot(of id: Int64) -> Int32? {
        let mask = buckets.count - 1
        var bucket = home(of: id)
        while true {
            let slot = buckets[bucket]
            if slot == Self.empty { return nil }
            if ids[Int(slot)] == id { return slot }
            bucket = (bucket + 1) & mask
        }
    }

    /// Gives `id`, which must not be in the table, a slot: a free one or a new one
    /// (`slot == slotCount` before the call).
    mutating func insert(_ id: Int64) -> Int32 {
        if (count + 1) * 4 > buckets.count * 3 { rehash(bucketCount: buckets.count * 2) }
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            ids[Int(slot)] = id
        } else {
            precondition(ids.count < Int(Int32.max), "FeedSlots: too many feeds")
            slot = Int32(ids.count)
            ids.append(id)
        }
        place(slot, id: id)
        count += 1
        return slot
    }

    /// Takes `id` out, freeing its slot; returns the slot, or nil when absent.
    @discardableResult
    mutating func remove(_ id: Int64) -> Int32? {
        let mask = buckets.count - 1
        var hole = home(of: id)
        while true {
            let slot = buckets[hole]
            if slot == Self.empty { return nil }
            if ids[Int(slot)] == id { break }
            hole = (hole + 1) & mask
        }
        let removed = buckets[hole]
        // Backward shift: pull later members of the probe run into the hole when the hole lies
        // between their home bucket and where they sit.
        var next = (hole + 1) & mask
        while buckets[next] != Self.empty {
            let home = home(of: ids[Int(buckets[next])])
            if (next - home) & mask >= (next - hole) & mask {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = Self.empty
        freeSlots.append(removed)
        count -= 1
        return removed
    }

    /// Makes room for `total` IDs without rehashing or regrowing.
    mutating func reserveCapacity(_ total: Int) {
        var bucketCount = buckets.count
        while total * 4 > bucketCount * 3 { bucketCount *= 2 }
        if bucketCount > buckets.count { rehash(bucketCount: bucketCount) }
        let newSlots = total - count - freeSlots.count
        if newSlots > 0 { ids.reserveCapacity(ids.count + newSlots) }
    }

    /// Bytes held by the arrays (their capacities), for measurements.
    var allocatedBytes: Int {
        ids.capacity * MemoryLayout<Int64>.stride + freeSlots.capacity * MemoryLayout<Int32>.stride
            + buckets.capacity * MemoryLayout<Int32>.stride
    }

    private func home(of id: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(hashShift))
    }

    private mutating func place(_ slot: Int32, id: Int64) {
        let mask = buckets.count - 1
        var bucket = home(of: id)
        while buckets[bucket] != Self.empty { bucket = (bucket + 1) & mask }
        buckets[bucket] = slot
    }

    private mutating func rehash(bucketCount: Int) {
        let old = buckets
        buckets = Array(repeating: Self.empty, count: bucketCount)
        hashShift = 64 - bucketCount.trailingZeroBitCount
        for slot in old where slot != Self.empty { place(slot, id: ids[Int(slot)]) }
    }
}
