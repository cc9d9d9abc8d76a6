/// The loader's part for transformers: the top-level `transformers` list (custom plugins), the
/// check of each `use` entry, and the options of the built-in transformers.
extension ConfigLoader {
    static let customTransformerKeys: Set<String> = ["path", "options", "name", "timeout_ms"]

    /// Reads `transformers: [{path, options, name?, timeout_ms?}]`.
    func readCustomTransformers(_ root: JSONObject, into c: inout CCRConfiguration, _ v: inout Validation) {
        guard let value = root["transformers"] else { return }
        guard let list = value.arrayValue else {
            v.error("transformers", "must be a list of plugins", fix: "write \"transformers\": [{\"path\": \"~/.claude-code-router/plugins/my.js\", \"options\": {}}]")
            return
        }
        var names: [String: Int] = [:]
        for (index, entry) in list.enumerated() {
            let path = JSONPath.index("transformers", index)
            guard let object = entry.objectValue else {
                v.error(path, "must be an object with a path", fix: "write {\"path\": \"/path/to/transformer.js\", \"options\": {}}")
                continue
            }
            let errorsBefore = v.errorCount
            let file = object["path"]?.stringValue?.trimmingSpaces() ?? ""
            if file.isEmpty { v.error(JSONPath.key(path, "path"), "has no path", fix: "set the plugin's file, a .js module or an executable") }
            var options = JSONObject()
            if let value = object["options"] {
                if let object = value.objectValue { options = object } else if !value.isNull { v.error(JSONPath.key(path, "options"), "must be an object") }
            }
            var name: String?
            if let value = object["name"] {
                if let text = value.stringValue?.trimmingSpaces(), !text.isEmpty {
                    name = text
                    if TransformerCatalog.wireNames[text] != nil {
                        v.error(JSONPath.key(path, "name"), "'\(text)' names a wire protocol and cannot be replaced by a plugin")
                    } else if let first = names[text] {
                        v.error(JSONPath.key(path, "name"), "transformers[\(first)] already has the name '\(text)'")
                    }
                    names[text] = index
                } else {
                    v.error(JSONPath.key(path, "name"), "must be the transformer's name as a string")
                }
            }
            var timeout = 10_000
            if let value = object["timeout_ms"] {
                if let ms = Self.integer(value), ms > 0 { timeout = ms } else { v.error(JSONPath.key(path, "timeout_ms"), "must be a positive number of milliseconds") }
            }
            for key in object.keys where !Self.customTransformerKeys.contains(key) {
                v.warning(JSONPath.key(path, key), "unknown key, not used", fix: "use path, options, name, timeout_ms")
            }
            let configuration = CustomTransformerConfiguration(path: file, options: options, name: name, timeoutMilliseconds: timeout)
            v.customTransformers.append(configuration)
            if v.errorCount == errorsBefore { c.customTransformers.append(configuration) }
        }
    }

    /// Checks one `use` entry: its name, and the options of a built-in. Returns whether it is usable.
    func checkTransformer(_ reference: TransformerReference, path: String, _ v: inout Validation) -> Bool {
        let name = reference.name
        if v.customTransformers.contains(where: { $0.name == name }) { return true }
        if !TransformerCatalog.builtInNames.contains(name) {
            if v.customTransformers.contains(where: { $0.name == nil }) {
                v.warning(
                    path, "'\(name)' is not a built-in transformer, so it must be the name of one of the plugins in transformers; ccr checks that when it starts",
                    fix: "add \"name\": \"\(name)\" to that plugin's entry in transformers to check it now")
                return true
            }
            let close = TransformerCatalog.builtInNames.first { $0.lowercased() == name.lowercased() }
            v.error(
                path, "unknown transformer '\(name)'",
                fix: close.map { "names are case-sensitive: write \"\($0)\"" }
                    ?? "use one of: \(TransformerCatalog.builtInNames.joined(separator: ", ")), or load a custom one through the top-level transformers list")
            return false
        }
        if !TransformerCatalog.implementedNames.contains(name) {
            v.error(
                path, "transformer '\(name)' is not available in this version of ccr yet",
                fix: "remove it for now (see docs/compatibility.md for what is supported)")
            return false
        }
        let problems = TransformerRegistry.validate(name: name, options: reference.options)
        let optionsPath = reference.options.isEmpty ? path : JSONPath.index(path, 1)
        for problem in problems {
            v.error(optionsPath, "transformer '\(name)' \(problem)", fix: "see the Transformers section of docs/configuration.md")
        }
        return problems.isEmpty
    }

    /// Warns about transformers on a provider whose wire does not run them.
    func warnInactiveTransformers(
        _ chain: [TransformerReference], _ modelChains: [String: [TransformerReference]], wire: WireProtocol, path: String, label: String,
        _ v: inout Validation
    ) {
        guard wire != .openAIChat else { return }
        let names = (chain + modelChains.values.flatMap { $0 }).map(\.name).filter { TransformerCatalog.wireNames[$0] == nil }
        guard !names.isEmpty else { return }
        var seen: Set<String> = []
        let unique = names.filter { seen.insert($0).inserted }
        v.warning(
            path, "\(label) speaks \(wire.rawValue); its transformers \(unique.map { "'\($0)'" }.joined(separator: ", ")) only act on OpenAI Chat Completions providers, so they do nothing here",
            fix: "remove them, or use an OpenAI Chat Completions endpoint for this provider")
    }
}
