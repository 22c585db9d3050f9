/// `t=1,v1=abc,v1=def` and `ts=1;h1=abc`: keys in order, repeated keys kept. Spaces also separate items, for
/// senders that put two lists side by side during a rotation (Persona: `t=1,v1=abc t=1,v1=def`).
struct KeyValueList {
    let pairs: [(key: String, value: String)]

    init(_ text: String, separator: Character) {
        let items = text.split(separator: separator).flatMap { $0.split(separator: " ") }
        pairs = items.compactMap { item in
            guard let equals = item.firstIndex(of: "=") else { return nil }
            return (item[..<equals].trimmingSpaces(), item[item.index(after: equals)...].trimmingSpaces())
        }
    }

    func values(_ key: String) -> [String] {
        pairs.filter { $0.key == key }.map(\.value)
    }
}
