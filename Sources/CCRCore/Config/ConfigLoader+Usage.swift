extension ConfigLoader {
    /// `Usage`: `{"enabled": true, "retentionDays": 180, "queueCapacity": 10000}`.
    func readUsage(_ value: JSONValue, _ v: inout Validation) -> UsageSettings {
        var settings = UsageSettings()
        guard let object = value.objectValue else {
            v.error("Usage", "must be an object", fix: "write e.g. {\"enabled\": true, \"retentionDays\": 180}")
            return settings
        }
        if let enabled = object["enabled"] {
            if let flag = enabled.boolValue { settings.enabled = flag } else { v.error("Usage.enabled", "must be true or false") }
        }
        if let days = object["retentionDays"] {
            if let n = Self.integer(days), n >= 0 { settings.retentionDays = n } else { v.error("Usage.retentionDays", "must be a whole number of days ≥ 0 (0 keeps records for ever)") }
        }
        if let capacity = object["queueCapacity"] {
            if let n = Self.integer(capacity), n >= 1 { settings.queueCapacity = n } else { v.error("Usage.queueCapacity", "must be a whole number ≥ 1") }
        }
        let known: Set<String> = ["enabled", "retentionDays", "queueCapacity"]
        for key in object.keys where !known.contains(key) {
            v.warning(JSONPath.key("Usage", key), "unknown key, not used", fix: "use \(known.sorted().joined(separator: ", "))")
        }
        return settings
    }

    /// `Prices`: `{"provider,model" | "model" | "glob*": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}}`.
    func readPrices(_ value: JSONValue, _ v: inout Validation) -> [PriceTable.Entry] {
        guard let object = value.objectValue else {
            v.error("Prices", "must be an object of model → price", fix: "write e.g. {\"deepseek,deepseek-chat\": {\"input\": 0.28, \"output\": 0.42}}")
            return []
        }
        var entries: [PriceTable.Entry] = []
        for member in object.members {
            let (key, price) = (member.key, member.value)
            switch ModelPrice.parse(price) {
            case .success(let price): entries.append(PriceTable.Entry(key: key, price: price))
            case .failure(let error): v.error(JSONPath.key("Prices", key), error.message, fix: "prices are US dollars per million tokens")
            }
        }
        return entries
    }
}
