/// Values by the address of a name interned in libxml2's dictionary: open addressing on the
/// pointer bits. A `Dictionary` would hash each address with SipHash, and names are looked up
/// for every element and attribute.
struct InternedNameTable<Value> {
    private var keys: [UInt]
    private var values: [Value?]
    /// The values held.
    private(set) var count = 0
    private var shift: Int

    /// An empty table allocates nothing until its first insert: most parses meet a handful
    /// of namespaces, and some none.
    init() {
        keys = []
        values = []
        shift = UInt.bitWidth
    }

    private init(capacityBits: Int) {
        keys = Array(repeating: 0, count: 1 << capacityBits)
        values = Array(repeating: nil, count: 1 << capacityBits)
        shift = UInt.bitWidth - capacityBits
    }

    private func slot(_ key: UInt) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt(shift))
    }

    func value(for pointer: UnsafeRawPointer) -> Value? {
        guard count > 0 else { return nil }
        let key = UInt(bitPattern: pointer)
        var index = slot(key)
        while keys[index] != 0 {
            if keys[index] == key { return values[index] }
            index = (index + 1) & (keys.count - 1)
        }
        return nil
    }

    mutating func insert(_ value: Value, for pointer: UnsafeRawPointer) {
        if (count + 1) * 2 > keys.count { grow() }
        let key = UInt(bitPattern: pointer)
        var index = slot(key)
        while keys[index] != 0 && keys[index] != key { index = (index + 1) & (keys.count - 1) }
        if keys[index] == 0 { count += 1 }
        keys[index] = key
        values[index] = value
    }

    private mutating func grow() {
        let old = zip(keys, values).filter { $0.0 != 0 }
        let bits = keys.isEmpty ? 4 : UInt.bitWidth - shift + 1
        self = InternedNameTable(capacityBits: bits)
        for (key, value) in old {
            if let value, let pointer = UnsafeRawPointer(bitPattern: key) { insert(value, for: pointer) }
        }
    }
}
