/// The loader's part for Vertex AI providers (`vertex-gemini`, `vertex-claude`): their options and
/// the environment's fallbacks. The service-account file itself is read when the server starts.
extension ConfigLoader {
    static let vertexOptionKeys: Set<String> = ["project", "location", "credentials"]

    /// Whether a provider's own `transformer.use` names a Vertex transformer (looked at before the
    /// chain is checked, because such a provider needs neither `api_base_url` nor `api_key`).
    static func declaresVertex(_ provider: JSONObject) -> Bool {
        guard let use = provider["transformer"]?.objectValue?["use"]?.arrayValue else { return false }
        return use.contains { entry in
            let name = entry.stringValue ?? entry.arrayValue?.first?.stringValue
            return name.flatMap(VertexConfiguration.Kind.init(rawValue:)) != nil
        }
    }

    /// The Vertex settings from the first Vertex entry of `chain`, or `nil` after reporting why
    /// there are none. `usePath` is the chain's path (`Providers[0].transformer.use`).
    func readVertex(_ chain: [TransformerReference], baseURL: String, usePath: String, label: String, _ v: inout Validation) -> VertexConfiguration? {
        guard let index = chain.firstIndex(where: { VertexConfiguration.Kind(rawValue: $0.name) != nil }),
            let kind = VertexConfiguration.Kind(rawValue: chain[index].name)
        else { return nil }
        let reference = chain[index]
        let entryPath = JSONPath.index(usePath, index)
        let optionsPath = reference.options.isEmpty ? entryPath : JSONPath.index(entryPath, 1)
        var ok = true
        var values: [String: String] = [:]
        for key in Self.vertexOptionKeys {
            guard let value = reference.options[key] else { continue }
            if let text = value.stringValue?.trimmingSpaces(), !text.isEmpty {
                values[key] = text
            } else {
                v.error(JSONPath.key(optionsPath, key), "must be a non-empty string, found \(value.kindDescription)", fix: Self.vertexExample(kind))
                ok = false
            }
        }
        for key in reference.options.keys where !Self.vertexOptionKeys.contains(key) {
            v.warning(JSONPath.key(optionsPath, key), "unknown \(kind.rawValue) option, not used", fix: "use project, location, credentials")
        }
        func environment(_ name: String) -> String? {
            guard let value = self.environment[name]?.trimmingSpaces(), !value.isEmpty else { return nil }
            return value
        }
        let credentials = values["credentials"] ?? environment("GOOGLE_APPLICATION_CREDENTIALS")
        if credentials == nil && ok {
            v.error(
                entryPath, "\(label) uses \(kind.rawValue) but names no service-account credentials",
                fix: "add \"credentials\": \"/path/to/service-account.json\" to its options (\(Self.vertexExample(kind))), or export GOOGLE_APPLICATION_CREDENTIALS")
            ok = false
        }
        guard ok, let credentials else { return nil }
        let location = values["location"] ?? environment("GOOGLE_CLOUD_LOCATION") ?? kind.defaultLocation
        let path = credentials.hasPrefix("~/") ? (environment("HOME") ?? "~") + credentials.dropFirst(1) : credentials
        return VertexConfiguration(
            kind: kind, project: values["project"], environmentProject: environment("GOOGLE_CLOUD_PROJECT"), location: location,
            credentialsPath: path, baseOverride: baseURL.isEmpty ? nil : baseURL)
    }

    static func vertexExample(_ kind: VertexConfiguration.Kind) -> String {
        "write [\"\(kind.rawValue)\", {\"project\": \"my-project\", \"location\": \"\(kind.defaultLocation)\", \"credentials\": \"/path/to/service-account.json\"}]"
    }
}
