/// Numbers the distinct keys of a selectin load; integer keys (the common case) are
/// looked up in an open-addressing table keyed by the integer itself (a `Dictionary`'s
/// hashing was a twentieth of a selectin load), other keys in a dictionary.
struct KeyIndex {
    /// Slots of (key, number + 1); number + 1 == 0 marks an empty slot.
    private var keys: [Int64] = []
    private var numbers: [Int32] = []
    private var shift: UInt64 = 64
    private var integerCount = 0
    private var others: [PrimaryKeyValue: Int] = [:]
    private var count = 0

    /// The key's number, and whether it is new.
    mutating func index(_ key: PrimaryKeyValue) -> (Int, Bool) {
        if case .one(.integer(let i)) = key {
            if let g = findInteger(i) { return (g, false) }
            insertInteger(i, count)
        } else {
            if let g = others[key] { return (g, false) }
            others[key] = count
        }
        count += 1
        return (count - 1, true)
    }

    @inline(__always)
    func find(_ key: PrimaryKeyValue) -> Int? {
        if case .one(.integer(let i)) = key { return findInteger(i) }
        return others[key]
    }

    @inline(__always)
    private func slot(_ key: Int64) -> Int { fibonacciSlot(key, shift: shift) }

    /// The group of integer key `key` (`find` without building a key value).
    @inline(__always)
    func findInteger(_ key: Int64) -> Int? {
        if keys.isEmpty { return nil }
        let mask = keys.count - 1
        var i = slot(key) & mask
        while numbers[i] != 0 {
            if keys[i] == key { return Int(numbers[i]) - 1 }
            i = (i + 1) & mask
        }
        return nil
    }

    private mutating func insertInteger(_ key: Int64, _ number: Int) {
        if (integerCount + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var i = slot(key) & mask
        while numbers[i] != 0 { i = (i + 1) & mask }
        keys[i] = key
        numbers[i] = Int32(number + 1)
        integerCount += 1
    }

    /// Sizes the table for `count` integer keys at once (one allocation, no rehashing
    /// as it fills); only before the first key goes in.
    mutating func reserve(_ count: Int) {
        guard keys.isEmpty, count > 32 else { return }
        grow(to: 1 << (Int.bitWidth - (2 * count - 1).leadingZeroBitCount))
    }

    /// Doubles the table (load kept at most 1/2).
    private mutating func grow() {
        grow(to: max(64, keys.count * 2))
    }

    private mutating func grow(to capacity: Int) {
        let oldKeys = keys, oldNumbers = numbers
        keys = [Int64](repeating: 0, count: capacity)
        numbers = [Int32](repeating: 0, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        integerCount = 0
        for (k, n) in zip(oldKeys, oldNumbers) where n != 0 { insertInteger(k, Int(n) - 1) }
    }
}
