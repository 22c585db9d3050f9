/// The configuration file of `hookstash serve`: several endpoints, each a path prefix with its scheme, secrets,
/// response and forward target. Unknown keys and bad values are errors that name their line. Parsing only: the
/// caller reads the file and passes the environment (`HookstashServe` does both).
///
/// ```toml
/// [[endpoint]]
/// path = "/webhooks/front"
/// scheme = "front"
/// secret_env = "FRONT_SECRET"
///
/// [endpoint.response]
/// status = 200
/// ```
public struct ConfigurationFile: Sendable, Hashable {
    public var endpoints: [EndpointConfiguration]
    /// The custom `[[scheme]]` definitions endpoints may name.
    public var schemes: [SchemeConfiguration]

    public init(endpoints: [EndpointConfiguration] = [], schemes: [SchemeConfiguration] = []) {
        self.endpoints = endpoints
        self.schemes = schemes
    }

    /// The custom scheme called `name`, if the file defines one.
    public func scheme(named name: String) -> SchemeConfiguration? {
        schemes.first { $0.name == name.lowercased() }
    }

    /// The endpoint with the longest path prefix covering `path` (a path, or a target with a query).
    public func endpoint(forPath path: String) -> EndpointConfiguration? {
        endpoints.filter { $0.covers(path: path) }.max { $0.pathPrefix.count < $1.pathPrefix.count }
    }

    /// Parses configuration text; `environment` resolves `secret_env` names.
    public static func parse(
        _ text: String, environment: (String) -> String? = { _ in nil }
    ) throws(ConfigurationError) -> ConfigurationFile {
        let document = try TOMLDocument(parsing: text)
        var file = ConfigurationFile()
        file.schemes = try schemes(in: document)
        let customSchemes = Set(file.schemes.map(\.name))
        var lastEndpointLine: Int?
        var responseSeen = false
        for section in document.sections {
            switch (section.path, section.isArrayElement) {
            case ([], false):
                if let entry = section.entries.first {
                    throw ConfigurationError.unknownKey(
                        line: entry.line,
                        "unknown top-level key '\(entry.key)'; settings go in [[endpoint]] sections")
                }
            case (["endpoint"], true):
                file.endpoints.append(
                    try endpoint(from: section, customSchemes: customSchemes, environment: environment))
                lastEndpointLine = section.line
                responseSeen = false
            case (["endpoint", "rule"], true):
                guard !file.endpoints.isEmpty else {
                    throw ConfigurationError.syntax(
                        line: section.line, "[[endpoint.rule]] must follow the [[endpoint]] it belongs to")
                }
                let rule = try rule(from: section)
                let index = file.endpoints.count - 1
                if file.endpoints[index].rules.contains(where: { $0.name == rule.name }) {
                    throw ConfigurationError.badValue(
                        line: section.line, "this endpoint already has a rule named '\(rule.name)'")
                }
                file.endpoints[index].rules.append(rule)
            case (["endpoint", "rule"], false):
                throw ConfigurationError.syntax(
                    line: section.line,
                    "an endpoint may have several rules: write [[endpoint.rule]], not [endpoint.rule]")
            case (["endpoint", "response"], false), (["endpoint", "response"], true):
                guard lastEndpointLine != nil, !file.endpoints.isEmpty else {
                    throw ConfigurationError.syntax(
                        line: section.line, "[endpoint.response] must follow the [[endpoint]] it belongs to")
                }
                guard !section.isArrayElement else {
                    throw ConfigurationError.syntax(
                        line: section.line, "an endpoint has one response: write [endpoint.response], not [[…]]")
                }
                guard !responseSeen else {
                    throw ConfigurationError.syntax(line: section.line, "this endpoint already has a response")
                }
                responseSeen = true
                file.endpoints[file.endpoints.count - 1].response = try response(from: section)
            case (["scheme"], _):
                continue  // read by `schemes(in:)` before the endpoints that name them
            default:
                throw ConfigurationError.unknownKey(
                    line: section.line,
                    "unknown table \(section.header); expected [[endpoint]], [endpoint.response] or [[endpoint.rule]]")
            }
        }
        // The same prefix twice would make one endpoint unreachable.
        var seen: [String: Int] = [:]
        for (index, endpoint) in file.endpoints.enumerated() {
            if let first = seen[endpoint.pathPrefix] {
                let line = document.sections.filter { $0.path == ["endpoint"] }[index].line
                throw ConfigurationError.badValue(
                    line: line,
                    "the path '\(endpoint.pathPrefix)' is already used by endpoint #\(first + 1)")
            }
            seen[endpoint.pathPrefix] = index
        }
        return file
    }

    private static func endpoint(
        from section: TOMLDocument.Section, customSchemes: Set<String>, environment: (String) -> String?
    ) throws(ConfigurationError) -> EndpointConfiguration {
        let known = [
            "name", "path", "scheme", "secret", "secrets", "secret_env", "public_url", "forward", "verify_token",
        ]
        try rejectUnknown(section, known: known)
        guard let pathEntry = section.entries.first(where: { $0.key == "path" }) else {
            throw ConfigurationError.badValue(line: section.line, "this [[endpoint]] has no path (path = \"/hook\")")
        }
        let path = try string(pathEntry)
        guard path.hasPrefix("/") else {
            throw ConfigurationError.badValue(line: pathEntry.line, "path must start with '/', got '\(path)'")
        }
        var endpoint = EndpointConfiguration(pathPrefix: path)
        for entry in section.entries {
            switch entry.key {
            case "name":
                endpoint.name = try string(entry)
            case "scheme":
                let scheme = try string(entry).lowercased()
                guard EndpointConfiguration.schemeNames.contains(scheme) || customSchemes.contains(scheme) else {
                    throw ConfigurationError.badValue(
                        line: entry.line,
                        "unknown scheme '\(scheme)'; expected one of "
                            + (EndpointConfiguration.schemeNames + customSchemes.sorted()).joined(separator: ", "))
                }
                endpoint.scheme = scheme
            case "secret":
                endpoint.secrets.append(try string(entry))
            case "secrets":
                endpoint.secrets += try strings(entry)
            case "verify_token":
                endpoint.verifyToken = try string(entry)
            case "public_url":
                let url = try string(entry)
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "public_url must be an http:// or https:// URL, got '\(url)'")
                }
                endpoint.publicURL = url
            case "forward":
                let url = try string(entry)
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "forward must be an http:// or https:// URL, got '\(url)'")
                }
                endpoint.forward = url
            default:
                break
            }
        }
        // Variables after literals, so a rotation reads literal-then-environment in a stable order.
        if let entry = section.entries.first(where: { $0.key == "secret_env" }) {
            let names: [String]
            if case .array = entry.value { names = try strings(entry) } else { names = [try string(entry)] }
            for name in names {
                guard let value = environment(name), !value.isEmpty else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "secret_env names \(name), which is not set in the environment")
                }
                endpoint.secrets.append(value)
            }
        }
        return endpoint
    }

    private static func response(from section: TOMLDocument.Section) throws(ConfigurationError)
        -> CaptureResponse
    {
        try rejectUnknown(section, known: ["status", "headers", "body", "delay_ms"])
        var response = CaptureResponse()
        for entry in section.entries {
            switch entry.key {
            case "status":
                response.status = try status(entry)
            case "headers":
                for header in try strings(entry) {
                    do {
                        let (name, value) = try ResponseHeaderLine.parse(header)
                        response.headers.append(name: name, value: value)
                    } catch {
                        throw ConfigurationError.badResponseHeader(line: entry.line, error)
                    }
                }
            case "body":
                response.body = Array(try string(entry).utf8)
            case "delay_ms":
                response.delay = .milliseconds(try delay(entry))
            default:
                break
            }
        }
        return response
    }

    /// Keys of `[[endpoint.rule]]`: match keys, then the answer.
    static let ruleKeys = [
        "name", "method", "path", "headers", "query", "json", "signature", "fail_times", "fail_key", "status",
        "headers_out", "body", "delay_ms", "action",
    ]

    private static func rule(from section: TOMLDocument.Section) throws(ConfigurationError) -> ResponseRule {
        try rejectUnknown(section, known: ruleKeys)
        guard let nameEntry = section.entries.first(where: { $0.key == "name" }) else {
            throw ConfigurationError.badValue(
                line: section.line, "this [[endpoint.rule]] has no name (name = \"…\"); captures record it")
        }
        let name = try string(nameEntry)
        guard !name.isEmpty, LineBreakingByte.first(in: name) == nil else {
            throw ConfigurationError.badValue(line: nameEntry.line, "a rule's name is one non-empty line")
        }
        var rule = ResponseRule(name: name)
        var criteria: [CaptureCriterion] = []
        var failKeyLine: Int?
        for entry in section.entries {
            switch entry.key {
            case "method":
                criteria.append(try criterion(entry, try string(entry), CaptureCriterion.method(parsing:)))
            case "path":
                criteria.append(.path(GlobPattern(try string(entry))))
            case "headers":
                for text in try strings(entry) {
                    criteria.append(try criterion(entry, text, CaptureCriterion.header(parsing:)))
                }
            case "query":
                for text in try strings(entry) {
                    criteria.append(try criterion(entry, text, CaptureCriterion.query(parsing:)))
                }
            case "json":
                for text in try strings(entry) {
                    criteria.append(try criterion(entry, text, CaptureCriterion.json(parsing:)))
                }
            case "signature":
                criteria.append(try criterion(entry, try string(entry), CaptureCriterion.signature(parsing:)))
            case "fail_times":
                let times = try integer(entry)
                guard (1...1_000_000).contains(times) else {
                    throw ConfigurationError.badValue(
                        line: entry.line, "fail_times must be from 1 to 1000000, got \(times)")
                }
                rule.failTimes = times
            case "fail_key":
                let key = try template(entry)
                if key.uses(.id) {
                    throw ConfigurationError.badValue(
                        line: entry.line, "fail_key cannot use {{id}}: every capture has its own id")
                }
                rule.failKey = key
                failKeyLine = entry.line
            case "status":
                rule.status = try status(entry)
            case "headers_out":
                for text in try strings(entry) {
                    // The name is literal; the value is a template, checked with its fields as written.
                    let line: (name: String, value: String)
                    do {
                        line = try ResponseHeaderLine.parse(text)
                    } catch {
                        throw ConfigurationError.badResponseHeader(line: entry.line, error)
                    }
                    rule.headers.append(.init(name: line.name, value: try template(entry, text: line.value)))
                }
            case "body":
                rule.body = try template(entry)
            case "delay_ms":
                rule.delay = .milliseconds(try delay(entry))
            case "action":
                let text = try string(entry)
                guard let action = RuleAction(rawValue: text) else {
                    throw ConfigurationError.badValue(
                        line: entry.line,
                        "unknown action '\(text)'; expected one of "
                            + RuleAction.allCases.map(\.rawValue).joined(separator: ", "))
                }
                rule.action = action
            default:
                break
            }
        }
        if let failKeyLine, rule.failTimes == nil {
            throw ConfigurationError.badValue(
                line: failKeyLine, "fail_key needs fail_times (how many times each key fails)")
        }
        rule.criteria = CaptureCriteria(criteria)
        return rule
    }

    private static func criterion(
        _ entry: TOMLDocument.Entry, _ text: String,
        _ parse: (String) throws(CriterionSyntaxError) -> CaptureCriterion
    ) throws(ConfigurationError) -> CaptureCriterion {
        do {
            return try parse(text)
        } catch {
            throw ConfigurationError.badValue(line: entry.line, "\(entry.key): \(error)")
        }
    }

    private static func template(_ entry: TOMLDocument.Entry, text: String? = nil) throws(ConfigurationError)
        -> ResponseTemplate
    {
        let source: String
        if let text { source = text } else { source = try string(entry) }
        do {
            return try ResponseTemplate(parsing: source)
        } catch {
            throw ConfigurationError.badValue(line: entry.line, "\(entry.key): \(error)")
        }
    }

    private static func status(_ entry: TOMLDocument.Entry) throws(ConfigurationError) -> Int {
        let status = try integer(entry)
        guard (100...599).contains(status) else {
            throw ConfigurationError.badValue(
                line: entry.line, "status must be an HTTP status from 100 to 599, got \(status)")
        }
        return status
    }

    private static func delay(_ entry: TOMLDocument.Entry) throws(ConfigurationError) -> Int {
        let delay = try integer(entry)
        guard delay >= 0, delay <= 600_000 else {
            throw ConfigurationError.badValue(
                line: entry.line, "delay_ms must be from 0 to 600000 milliseconds, got \(delay)")
        }
        return delay
    }

    static func rejectUnknown(_ section: TOMLDocument.Section, known: [String]) throws(ConfigurationError) {
        for entry in section.entries where !known.contains(entry.key) {
            throw ConfigurationError.unknownKey(
                line: entry.line,
                "unknown key '\(entry.key)' in \(section.header); expected one of \(known.joined(separator: ", "))")
        }
    }

    static func string(_ entry: TOMLDocument.Entry) throws(ConfigurationError) -> String {
        guard case .string(let value) = entry.value else {
            throw ConfigurationError.badValue(
                line: entry.line, "\(entry.key) must be a string, got \(entry.value.kind)")
        }
        return value
    }

    static func strings(_ entry: TOMLDocument.Entry) throws(ConfigurationError) -> [String] {
        guard case .array(let items) = entry.value else {
            throw ConfigurationError.badValue(
                line: entry.line, "\(entry.key) must be an array of strings, got \(entry.value.kind)")
        }
        var out: [String] = []
        for item in items {
            guard case .string(let value) = item else {
                throw ConfigurationError.badValue(
                    line: entry.line, "\(entry.key) must be an array of strings; it holds \(item.kind)")
            }
            out.append(value)
        }
        return out
    }

    static func integer(_ entry: TOMLDocument.Entry) throws(ConfigurationError) -> Int {
        guard case .integer(let value) = entry.value, let small = Int(exactly: value) else {
            throw ConfigurationError.badValue(
                line: entry.line, "\(entry.key) must be an integer, got \(entry.value.kind)")
        }
        return small
    }
}
