extension ConfigurationFile {
    /// The `[[scheme]]` sections of `document`, checked: each error names the line and the field.
    static func schemes(in document: TOMLDocument) throws(ConfigurationError) -> [SchemeConfiguration] {
        var schemes: [SchemeConfiguration] = []
        for section in document.sections where section.path == ["scheme"] {
            guard section.isArrayElement else {
                throw ConfigurationError.syntax(line: section.line, "write [[scheme]], one table per scheme")
            }
            let scheme = try self.scheme(from: section)
            if let first = schemes.first(where: { $0.name == scheme.name }) {
                throw ConfigurationError.badValue(
                    line: section.line, "name: the scheme '\(scheme.name)' is already defined on line \(first.line)")
            }
            schemes.append(scheme)
        }
        return schemes
    }

    private static func scheme(from section: TOMLDocument.Section) throws(ConfigurationError) -> SchemeConfiguration {
        let known = [
            "name", "provider", "header", "algorithm", "encoding", "prefix", "signature_key", "separator", "signed",
            "timestamp_header", "timestamp_key", "timestamp_unit", "tolerance", "id_header", "secret_encoding",
            "secret_prefix",
        ]
        try rejectUnknown(section, known: known)
        func required(_ key: String) throws(ConfigurationError) -> TOMLDocument.Entry {
            guard let entry = section.entries.first(where: { $0.key == key }) else {
                throw ConfigurationError.badValue(line: section.line, "\(key): this [[scheme]] has no \(key)")
            }
            return entry
        }
        let nameEntry = try required("name")
        let name = try string(nameEntry).lowercased()
        let nameIsToken =
            !name.isEmpty
            && name.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d || $0 == 0x5f
            }
        guard nameIsToken else {
            throw ConfigurationError.badValue(
                line: nameEntry.line, "name: '\(name)' must be letters, digits, '-' and '_'")
        }
        guard !EndpointConfiguration.schemeNames.contains(name) else {
            throw ConfigurationError.badValue(
                line: nameEntry.line, "name: '\(name)' is a built-in scheme; give the custom scheme another name")
        }
        let headerEntry = try required("header")
        var scheme = SchemeConfiguration(
            name: name, header: try headerName(headerEntry), line: section.line)
        var signedLine = section.line
        for entry in section.entries {
            switch entry.key {
            case "provider":
                scheme.provider = try string(entry)
            case "algorithm":
                let text = try string(entry).lowercased()
                let names: [String: DigestAlgorithm] = [
                    "sha1": .sha1, "sha256": .sha256, "sha512": .sha512, "hmac-sha1": .sha1, "hmac-sha256": .sha256,
                    "hmac-sha512": .sha512,
                ]
                guard let algorithm = names[text] else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "algorithm: unknown '\(text)'; expected sha1, sha256 or sha512")
                }
                scheme.algorithm = algorithm
            case "encoding":
                let text = try string(entry).lowercased()
                guard let encoding = SchemeConfiguration.Encoding(rawValue: text) else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "encoding: unknown '\(text)'; expected hex, base64 or base64url")
                }
                scheme.encoding = encoding
            case "prefix":
                scheme.prefix = try string(entry)
            case "signature_key":
                scheme.signatureKey = try string(entry)
            case "separator":
                let text = try string(entry)
                guard text.count == 1, let character = text.first else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "separator: must be one character, got '\(text)'")
                }
                scheme.separator = character
            case "signed":
                signedLine = entry.line
                switch SchemeConfiguration.parseTemplate(try string(entry)) {
                case .success(let parts): scheme.signed = parts
                case .failure(let problem):
                    throw ConfigurationError.badValue(line: entry.line, "signed: \(problem)")
                }
            case "timestamp_header":
                scheme.timestampHeader = try headerName(entry)
            case "timestamp_key":
                scheme.timestampKey = try string(entry)
            case "timestamp_unit":
                let text = try string(entry).lowercased()
                guard text == "seconds" || text == "milliseconds" else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "timestamp_unit: unknown '\(text)'; expected seconds or milliseconds")
                }
                scheme.timestampInMilliseconds = text == "milliseconds"
            case "tolerance":
                let seconds = try integer(entry)
                guard seconds > 0, seconds <= 31_536_000 else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "tolerance: must be from 1 to 31536000 seconds, got \(seconds)")
                }
                scheme.toleranceSeconds = seconds
            case "id_header":
                scheme.idHeader = try headerName(entry)
            case "secret_encoding":
                let text = try string(entry).lowercased()
                guard let encoding = SchemeConfiguration.SecretEncoding(rawValue: text) else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "secret_encoding: unknown '\(text)'; expected text or base64")
                }
                scheme.secretEncoding = encoding
            case "secret_prefix":
                scheme.secretPrefix = try string(entry)
            default:
                break
            }
        }
        try check(scheme, in: section, signedLine: signedLine)
        return scheme
    }

    /// What the fields mean together: a timestamp the template signs must come from somewhere, and so on.
    private static func check(
        _ scheme: SchemeConfiguration, in section: TOMLDocument.Section, signedLine: Int
    ) throws(ConfigurationError) {
        func line(_ key: String) -> Int { section.entries.first { $0.key == key }?.line ?? section.line }
        if scheme.timestampHeader != nil, scheme.timestampKey != nil {
            throw ConfigurationError.badValue(
                line: line("timestamp_key"), "timestamp_key: give timestamp_header or timestamp_key, not both")
        }
        if scheme.timestampKey != nil, scheme.signatureKey == nil {
            throw ConfigurationError.badValue(
                line: line("timestamp_key"),
                "timestamp_key: a timestamp inside the signature header needs signature_key (t=…,v1=… headers)")
        }
        if scheme.signatureKey != nil, !scheme.prefix.isEmpty {
            throw ConfigurationError.badValue(
                line: line("prefix"), "prefix: a key-value header is written signature_key=…; drop prefix")
        }
        let hasTimestamp = scheme.timestampHeader != nil || scheme.timestampKey != nil
        if scheme.signed.contains(.placeholder(.timestamp)), !hasTimestamp {
            throw ConfigurationError.badValue(
                line: signedLine, "signed: {timestamp} needs timestamp_header or timestamp_key")
        }
        if scheme.signed.contains(.placeholder(.id)), scheme.idHeader == nil {
            throw ConfigurationError.badValue(line: signedLine, "signed: {id} needs id_header")
        }
        if scheme.toleranceSeconds != nil, !hasTimestamp {
            throw ConfigurationError.badValue(
                line: line("tolerance"), "tolerance: the scheme has no timestamp_header or timestamp_key")
        }
    }

    /// A header name: a token, as HTTP field names are.
    private static func headerName(_ entry: TOMLDocument.Entry) throws(ConfigurationError) -> String {
        let name = try string(entry)
        guard !name.isEmpty, name.utf8.allSatisfy(HTTPFieldName.isTokenByte) else {
            throw ConfigurationError.badValue(line: entry.line, "\(entry.key): '\(name)' is not a header name")
        }
        return name
    }
}
