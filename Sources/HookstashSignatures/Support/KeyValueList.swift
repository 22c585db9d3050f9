/// `t=1,v1=abc,v1=def` and `ts=1;h1=abc`: keys in order, repeated keys kept.
struct KeyValueList {
    let pairs: [(key: String, value: String)]

    init(_ text: String, separator: Character) {
        pairs = text.split(separator: separator).compactMap { item in
            guard let equals = item.firstIndex(of: "=") else { return nil }
            return (item[..<equals].trimmingSpaces(), item[item.index(after: equals)...].trimmingSpaces())
        }
    }

    func values(_ key: String) -> [String] {
        pairs.filter { $0.key == key }.map(\.value)
    }
}
