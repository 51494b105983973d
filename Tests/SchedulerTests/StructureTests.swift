import Testing

@testable import Scheduler

@Suite("Internal structures against simple models", .ownThread(nice: 19))
struct StructureTests {
    @Test("FeedSlots agrees with a Dictionary through random inserts and removes")
    func slotsAgainstDictionary() {
        var slots = FeedSlots()
        var model: [Int64: Int32] = [:]
        var generator = SplitMix64(seed: 1)
        for _ in 0..<50_000 {
            let id = Int64(bitPattern: generator.next() % 3_000) - 1_500  // collisions and negatives
            if let slot = model[id] {
                #expect(slots.slot(of: id) == slot)
                if generator.next() % 2 == 0 {
                    #expect(slots.remove(id) == slot)
                    model[id] = nil
                }
            } else {
                #expect(slots.slot(of: id) == nil)
                let slot = slots.insert(id)
                #expect(!model.values.contains(slot))
                model[id] = slot
            }
        }
        #expect(slots.count == model.count)
        for (id, slot) in model { #expect(slots.slot(of: id) == slot && slots.ids[Int(slot)] == id) }
        #expect(slots.slotCount <= 3_000)
    }

    @Test("DueHeap pops in (due, slot) order through random inserts, updates and removes")
    func heapAgainstModel() {
        var heap = DueHeap()
        var model: [Int32: Int64] = [:]
        var generator = SplitMix64(seed: 2)
        for _ in 0..<20_000 {
            let slot = Int32(generator.next() % 500)
            let due = Int64(generator.next() % 1_000)
            switch generator.next() % 4 {
            case 0: #expect(heap.remove(slot) == model.removeValue(forKey: slot))
            case 1:
                if let entry = heap.popFirst() {
                    let expected = model.min { ($0.value, $0.key) < ($1.value, $1.key) }!
                    #expect(entry == DueHeap.Entry(due: expected.value, slot: expected.key))
                    model[entry.slot] = nil
                }
            default:
                heap.update(slot, due: due)
                model[slot] = due
            }
            #expect(heap.count == model.count)
        }
        for (slot, due) in model { #expect(heap.due(of: slot) == due) }
        var previous: DueHeap.Entry?
        while let entry = heap.popFirst() {
            if let previous {
                #expect(previous.due < entry.due || (previous.due == entry.due && previous.slot < entry.slot))
            }
            previous = entry
        }
    }
}
