/// The `.bin` beside an IR `.xml`: the raw little-endian bytes of every `Const` layer, back to back. `Const` layers
/// refer to their bytes by `offset` and `size`. Identical byte strings are stored once (OpenVINO's serializer does the
/// same), so e.g. two upsample scale vectors share one slot.
struct OpenVINOWeights {
    private(set) var bytes: [UInt8] = []
    private var slots: [[UInt8]: Int] = [:]

    /// Appends `data` (or finds an identical earlier copy); returns its offset and size.
    mutating func store(_ data: [UInt8]) -> (offset: Int, size: Int) {
        if let offset = slots[data] { return (offset, data.count) }
        let offset = bytes.count
        bytes += data
        slots[data] = offset
        return (offset, data.count)
    }
}
