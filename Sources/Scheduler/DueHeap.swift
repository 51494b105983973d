/// The feeds waiting to be polled, earliest due first: a binary min-heap of (due, slot) with
/// a slot-indexed position table, so a feed's entry can be found, moved or removed in
/// O(log n). 16 bytes an entry plus 4 a slot. Ties in due time go to the lower slot, so the
/// order is fully determined.
struct DueHeap: Sendable {
    struct Entry: Sendable, Equatable {
        var due: Int64
        var slot: Int32
    }

    private var entries: [Entry] = []
    /// Each slot's index in `entries`, or -1 when the slot is not in the heap.
    private var positions: [Int32] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    /// The earliest entry.
    var first: Entry? { entries.first }

    /// The due time of `slot`, or nil when it is not in the heap.
    func due(of slot: Int32) -> Int64? {
        let position = position(of: slot)
        return position < 0 ? nil : entries[position].due
    }

    /// Adds `slot`, which must not be in the heap.
    mutating func insert(_ slot: Int32, due: Int64) {
        if Int(slot) >= positions.count {
            positions.append(contentsOf: repeatElement(-1, count: Int(slot) - positions.count + 1))
        }
        precondition(positions[Int(slot)] < 0, "DueHeap: slot already present")
        entries.append(Entry(due: due, slot: slot))
        positions[Int(slot)] = Int32(entries.count - 1)
        siftUp(entries.count - 1)
    }

    /// Moves `slot` to `due`, inserting it when absent.
    mutating func update(_ slot: Int32, due: Int64) {
        let position = position(of: slot)
        guard position >= 0 else { return insert(slot, due: due) }
        let earlier = due < entries[position].due
        entries[position].due = due
        if earlier { siftUp(position) } else { siftDown(position) }
    }

    /// Takes `slot` out; returns its due time, or nil when it was absent.
    @discardableResult
    mutating func remove(_ slot: Int32) -> Int64? {
        let position = position(of: slot)
        guard position >= 0 else { return nil }
        let due = entries[position].due
        removeEntry(at: position)
        return due
    }

    /// Takes out the earliest entry.
    @discardableResult
    mutating func popFirst() -> Entry? {
        guard let first = entries.first else { return nil }
        removeEntry(at: 0)
        return first
    }

    /// Makes room for `total` entries and slots below `slotCount`.
    mutating func reserveCapacity(_ total: Int, slotCount: Int) {
        entries.reserveCapacity(total)
        positions.reserveCapacity(slotCount)
    }

    /// Bytes held by the arrays (their capacities), for measurements.
    var allocatedBytes: Int {
        entries.capacity * MemoryLayout<Entry>.stride + positions.capacity * MemoryLayout<Int32>.stride
    }

    private func position(of slot: Int32) -> Int {
        Int(slot) < positions.count ? Int(positions[Int(slot)]) : -1
    }

    private mutating func removeEntry(at position: Int) {
        positions[Int(entries[position].slot)] = -1
        let last = entries.removeLast()
        guard position < entries.count else { return }
        entries[position] = last
        positions[Int(last.slot)] = Int32(position)
        if position > 0 && Self.precedes(last, entries[(position - 1) / 2]) {
            siftUp(position)
        } else {
            siftDown(position)
        }
    }

    private static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.due < b.due || (a.due == b.due && a.slot < b.slot)
    }

    private mutating func siftUp(_ start: Int) {
        let moving = entries[start]
        var index = start
        while index > 0 {
            let parent = (index - 1) / 2
            guard Self.precedes(moving, entries[parent]) else { break }
            entries[index] = entries[parent]
            positions[Int(entries[index].slot)] = Int32(index)
            index = parent
        }
        entries[index] = moving
        positions[Int(moving.slot)] = Int32(index)
    }

    private mutating func siftDown(_ start: Int) {
        let moving = entries[start]
        var index = start
        let count = entries.count
        while true {
            var child = 2 * index + 1
            guard child < count else { break }
            if child + 1 < count && Self.precedes(entries[child + 1], entries[child]) { child += 1 }
            guard Self.precedes(entries[child], moving) else { break }
            entries[index] = entries[child]
            positions[Int(entries[index].slot)] = Int32(index)
            index = child
        }
        entries[index] = moving
        positions[Int(moving.slot)] = Int32(index)
    }
}
