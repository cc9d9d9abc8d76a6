/// Reads `config.json` text into a ``CCRConfiguration``, reporting every problem at once.
///
/// The steps: JSON5 parse (with positions), `$VAR` interpolation, then validation of each key the
/// original knows. Unknown keys are kept in ``CCRConfiguration/raw`` and reported as warnings.
public struct ConfigLoader: Sendable {
    /// The process environment used for `$VAR`, `SERVICE_PORT` and proxy variables.
    public var environment: [String: String]
    /// The file name used in messages.
    public var fileName: String

    public init(environment: [String: String], fileName: String = "config.json") {
        self.environment = environment
        self.fileName = fileName
    }

    /// The top-level keys the original understands (and a few of ours).
    public static let knownTopLevelKeys: Set<String> = [
        "PORT", "HOST", "APIKEY", "LOG", "LOG_LEVEL", "API_TIMEOUT_MS", "CONNECT_TIMEOUT_MS", "PROXY_URL",
        "HTTPS_PROXY", "https_proxy", "httpsProxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
        "NON_INTERACTIVE_MODE", "CLAUDE_PATH", "CUSTOM_ROUTER_PATH", "REWRITE_SYSTEM_PROMPT", "Providers",
        "providers", "Router", "transformers", "StatusLine", "fallback", "forceUseImageAgent", "plugins", "Plugins",
        "ANTHROPIC_SMALL_FAST_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "BODY_LIMIT_MB",
        "LOG_MAX_SIZE_MB", "LOG_MAX_FILES", "CUSTOM_ROUTER_TIMEOUT_MS", "Resilience", "Usage", "Prices",
    ]

    /// Keys this build reads but does not act on yet; they are accepted without a warning.
    public static let acceptedButInactiveKeys: Set<String> = [
        "forceUseImageAgent", "plugins", "Plugins", "ANTHROPIC_SMALL_FAST_MODEL", "OPENAI_API_KEY",
        "OPENAI_BASE_URL", "OPENAI_MODEL",
    ]

    /// Loads and validates.
    /// - Returns: the configuration and the warnings.
    /// - Throws: ``ConfigError`` listing every error (and the warnings) when any error exists.
    public func load(text: [UInt8]) throws(ConfigError) -> (CCRConfiguration, [ConfigDiagnostic]) {
        let (raw, map) = try self.parse(text, fix: "correct the syntax at that position (comments and trailing commas are allowed)")
        var validation = Validation(map: map)
        var missing: [EnvironmentInterpolator.Missing] = []
        let resolved = EnvironmentInterpolator(environment: self.environment).interpolate(raw, missing: &missing)
        for item in missing {
            validation.error(
                item.path, "environment variable \(item.variable) is not set",
                fix: "export \(item.variable)=… before starting ccr, or write ${\(item.variable):-default} to make it optional")
        }
        var configuration = CCRConfiguration()
        configuration.raw = raw
        configuration.resolved = resolved
        guard let root = resolved.objectValue else {
            validation.error("$", "the config must be a JSON object, found \(resolved.kindDescription)", fix: "wrap the settings in { … }")
            throw ConfigError(file: self.fileName, diagnostics: validation.sorted)
        }
        self.readServerKeys(root, into: &configuration, &validation)
        self.readCustomTransformers(root, into: &configuration, &validation)
        self.readProviders(root, into: &configuration, &validation)
        self.readRouter(root, into: &configuration, &validation)
        if let fallback = root["fallback"] {
            configuration.fallback = self.readFallback(fallback, path: "fallback", configuration: configuration, &validation)
        }
        if let resilience = root["Resilience"] {
            configuration.resilience = self.readResilience(resilience, &validation)
        }
        if let usage = root["Usage"] {
            configuration.usage = self.readUsage(usage, &validation)
        }
        if let prices = root["Prices"] {
            configuration.prices = PriceTable(configured: self.readPrices(prices, &validation))
        }
        for key in root.keys where !Self.knownTopLevelKeys.contains(key) {
            validation.warning(JSONPath.key("$", key), "unknown key, kept as written but not used", fix: "check the spelling against docs/configuration.md")
        }
        if validation.diagnostics.contains(where: { $0.severity == .error }) {
            throw ConfigError(file: self.fileName, diagnostics: validation.sorted)
        }
        return (configuration, validation.sorted)
    }

    // MARK: - Server keys

    private func readServerKeys(_ root: JSONObject, into c: inout CCRConfiguration, _ v: inout Validation) {
        if let port = root["PORT"] {
            if let p = Self.integer(port), (1...65535).contains(p) {
                c.port = p
            } else {
                v.error("PORT", "must be a port number from 1 to 65535, found \(port)", fix: "write e.g. \"PORT\": 3456")
            }
        }
        if let servicePort = self.environment["SERVICE_PORT"], !servicePort.isEmpty {
            if let p = Int(servicePort), (1...65535).contains(p) {
                c.port = p
            } else {
                v.error("$", "environment variable SERVICE_PORT=\(servicePort) is not a port number", fix: "unset SERVICE_PORT or set it to 1–65535")
            }
        }
        if let host = root["HOST"] {
            if let h = host.stringValue, !h.isEmpty { c.host = h } else { v.error("HOST", "must be a host name or address", fix: "write e.g. \"HOST\": \"127.0.0.1\"") }
        }
        if let key = root["APIKEY"] {
            if let k = key.stringValue {
                c.apiKey = k.isEmpty ? nil : k
            } else {
                v.error("APIKEY", "must be a string, found \(key.kindDescription)", fix: "write \"APIKEY\": \"$CCR_APIKEY\" and export CCR_APIKEY")
            }
        }
        if let log = root["LOG"] {
            if let b = log.boolValue { c.logEnabled = b } else { v.error("LOG", "must be true or false", fix: "write \"LOG\": true") }
        }
        if let level = root["LOG_LEVEL"] {
            let levels = ["trace", "debug", "info", "notice", "warn", "warning", "error", "fatal", "critical"]
            if let l = level.stringValue?.lowercased(), levels.contains(l) {
                c.logLevel = l
            } else {
                v.error("LOG_LEVEL", "must be one of fatal, error, warn, info, debug, trace", fix: "write \"LOG_LEVEL\": \"info\"")
            }
        }
        for (key, keyPath) in [("API_TIMEOUT_MS", \CCRConfiguration.apiTimeoutMilliseconds), ("CONNECT_TIMEOUT_MS", \.connectTimeoutMilliseconds)] {
            if let value = root[key] {
                if let ms = Self.integer(value), ms > 0 {
                    c[keyPath: keyPath] = ms
                } else {
                    v.error(key, "must be a positive number of milliseconds, found \(value)", fix: "write e.g. \"\(key)\": 600000")
                }
            }
        }
        if let size = root["LOG_MAX_SIZE_MB"] {
            if let mb = Self.integer(size), mb >= 1, mb <= 10_240 {
                c.logMaxBytes = mb * 1024 * 1024
            } else {
                v.error("LOG_MAX_SIZE_MB", "must be a number of MiB from 1 to 10240", fix: "write e.g. \"LOG_MAX_SIZE_MB\": 10")
            }
        }
        if let files = root["LOG_MAX_FILES"] {
            if let n = Self.integer(files), n >= 1, n <= 1_000 {
                c.logMaxFiles = n
            } else {
                v.error("LOG_MAX_FILES", "must be a number of files from 1 to 1000", fix: "write e.g. \"LOG_MAX_FILES\": 5")
            }
        }
        if let limit = root["BODY_LIMIT_MB"] {
            if let mb = Self.integer(limit), mb > 0, mb <= 1024 {
                c.bodyLimitBytes = mb * 1024 * 1024
            } else {
                v.error("BODY_LIMIT_MB", "must be a number of MiB from 1 to 1024", fix: "write e.g. \"BODY_LIMIT_MB\": 32")
            }
        }
        if let b = root["NON_INTERACTIVE_MODE"] {
            if let flag = b.boolValue { c.nonInteractiveMode = flag } else { v.error("NON_INTERACTIVE_MODE", "must be true or false") }
        }
        for (key, keyPath) in [("CUSTOM_ROUTER_PATH", \CCRConfiguration.customRouterPath), ("REWRITE_SYSTEM_PROMPT", \.rewriteSystemPromptPath)] {
            guard let value = root[key] else { continue }
            if let path = value.stringValue { c[keyPath: keyPath] = path.trimmingSpaces().isEmpty ? nil : path } else { v.error(key, "must be a file path") }
        }
        if let value = root["CUSTOM_ROUTER_TIMEOUT_MS"] {
            if let ms = Self.integer(value), ms > 0 { c.customRouterTimeoutMilliseconds = ms } else { v.error("CUSTOM_ROUTER_TIMEOUT_MS", "must be a positive number of milliseconds") }
        }
        if let value = root["forceUseImageAgent"] {
            if let flag = value.boolValue {
                c.forceUseImageAgent = flag
                if flag {
                    v.warning(
                        "forceUseImageAgent", "the original's image agent is not supported; images go to Router.image when the last user message has one",
                        fix: "remove the key, or set Router.image to a vision model")
                }
            } else {
                v.error("forceUseImageAgent", "must be true or false")
            }
        }
        if let path = root["CLAUDE_PATH"] {
            if let p = path.stringValue { c.claudePath = p.isEmpty ? nil : p } else { v.error("CLAUDE_PATH", "must be a path to the claude binary") }
        }
        // Proxy: config keys first (as the original), then the process environment.
        for key in ["HTTPS_PROXY", "https_proxy", "httpsProxy", "PROXY_URL"] {
            guard let value = root[key] else { continue }
            guard let url = value.stringValue else {
                v.error(key, "must be a proxy URL such as http://127.0.0.1:7890")
                continue
            }
            if url.isEmpty { continue }
            if ProxySettings.parse(url) == nil {
                v.error(key, "'\(url)' is not a proxy URL", fix: "write http://host:port (user:password@ allowed) or socks5://host:port")
            } else if c.proxyURL == nil {
                c.proxyURL = url
            }
        }
        if c.proxyURL == nil {
            for key in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
                if let url = self.environment[key], !url.isEmpty, ProxySettings.parse(url) != nil {
                    c.proxyURL = url
                    break
                }
            }
        }
        var noProxy: String?
        if let value = root["NO_PROXY"]?.stringValue ?? root["no_proxy"]?.stringValue { noProxy = value }
        if noProxy == nil { noProxy = self.environment["NO_PROXY"] ?? self.environment["no_proxy"] }
        c.noProxy = (noProxy ?? "").split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
    }

    // MARK: - Providers

    private func readProviders(_ root: JSONObject, into c: inout CCRConfiguration, _ v: inout Validation) {
        let key = root.contains("Providers") ? "Providers" : "providers"
        guard let value = root[key] else { return }
        guard let list = value.arrayValue else {
            v.error(key, "must be an array of providers, found \(value.kindDescription)", fix: "write \"Providers\": [ { \"name\": …, \"api_base_url\": …, \"api_key\": …, \"models\": [ … ] } ]")
            return
        }
        var seen: [String: Int] = [:]
        for (index, entry) in list.enumerated() {
            defer {
                if let object = entry.objectValue, let name = object["name"]?.stringValue?.trimmingSpaces(), !name.isEmpty {
                    let models = object["models"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    v.declaredProviders.append((name, models))
                }
            }
            let path = JSONPath.index(key, index)
            guard let object = entry.objectValue else {
                v.error(path, "each provider must be an object, found \(entry.kindDescription)")
                continue
            }
            var ok = true
            let name = object["name"]?.stringValue?.trimmingSpaces() ?? ""
            if name.isEmpty {
                v.error(JSONPath.key(path, "name"), "provider has no name", fix: "add \"name\": \"deepseek\" (the name used in routes)")
                ok = false
            } else if name.contains(",") {
                v.error(JSONPath.key(path, "name"), "provider name '\(name)' contains a comma", fix: "routes are written provider,model: choose a name without commas")
                ok = false
            } else if let first = seen[name.lowercased()] {
                v.error(JSONPath.key(path, "name"), "duplicate provider name '\(name)' (also \(JSONPath.index(key, first)))", fix: "give each provider a unique name")
                ok = false
            } else {
                seen[name.lowercased()] = index
            }
            let label = name.isEmpty ? "provider \(index)" : "provider '\(name)'"
            var url = object["api_base_url"]?.stringValue ?? ""
            let isVertex = Self.declaresVertex(object)
            if url.isEmpty && isVertex {
                // Vertex AI: the host follows from the location (set below, once the options are read).
            } else if url.isEmpty {
                v.error(JSONPath.key(path, "api_base_url"), "\(label) has no api_base_url", fix: "set the full endpoint URL, e.g. https://api.deepseek.com/chat/completions")
                ok = false
            } else if !(url.hasPrefix("http://") || url.hasPrefix("https://")) || URLParts(url) == nil {
                v.error(JSONPath.key(path, "api_base_url"), "'\(url)' is not an http(s) URL", fix: "write the full endpoint URL, e.g. https://api.deepseek.com/chat/completions")
                ok = false
            }
            var apiKey: String?
            if let keyValue = object["api_key"] {
                if let k = keyValue.stringValue {
                    apiKey = k.isEmpty ? nil : k
                } else {
                    v.error(JSONPath.key(path, "api_key"), "must be a string, found \(keyValue.kindDescription)")
                    ok = false
                }
            }
            var keys: [ProviderKey] = apiKey.map { [ProviderKey(key: $0)] } ?? []
            if let list = object["api_keys"] {
                let keysPath = JSONPath.key(path, "api_keys")
                if let entries = list.arrayValue {
                    keys = []
                    for (keyIndex, entry) in entries.enumerated() {
                        if let key = self.readProviderKey(entry, path: JSONPath.index(keysPath, keyIndex), &v) { keys.append(key) }
                    }
                    if let first = keys.first, apiKey == nil { apiKey = first.key }
                } else {
                    v.error(keysPath, "must be a list of keys", fix: "write \"api_keys\": [\"$KEY_1\", {\"key\": \"$KEY_2\", \"weight\": 2}]")
                    ok = false
                }
            }
            var rotation = RotationStrategy.roundRobin
            if let strategy = object["rotation_strategy"] {
                if let parsed = strategy.stringValue.flatMap(RotationStrategy.init(rawValue:)) {
                    rotation = parsed
                } else {
                    v.error(
                        JSONPath.key(path, "rotation_strategy"), "unknown rotation strategy \(strategy)",
                        fix: "use \(RotationStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if apiKey == nil && !isVertex && !Self.isLocalURL(url) {
                let envName = Self.suggestedKeyVariable(name)
                v.error(
                    JSONPath.key(path, "api_key"), "\(label) has no api_key",
                    fix: "set \(path).api_key to \"$\(envName)\" and export \(envName)")
                ok = false
            }
            var models: [String] = []
            if let modelsValue = object["models"] {
                if let array = modelsValue.arrayValue, array.allSatisfy({ $0.stringValue?.isEmpty == false }) {
                    models = array.compactMap(\.stringValue)
                } else {
                    v.error(JSONPath.key(path, "models"), "must be a list of model names", fix: "write \"models\": [\"deepseek-chat\"]")
                    ok = false
                }
            }
            if models.isEmpty && ok {
                v.error(JSONPath.key(path, "models"), "\(label) lists no models", fix: "add \"models\": [\"model-name\", …]")
                ok = false
            }
            var providerChain: [TransformerReference] = []
            var modelChains: [String: [TransformerReference]] = [:]
            if let transformer = object["transformer"] {
                let tPath = JSONPath.key(path, "transformer")
                if let tObject = transformer.objectValue {
                    for member in tObject.members {
                        let memberPath = JSONPath.key(tPath, member.key)
                        if member.key == "use" {
                            providerChain = self.readChain(member.value, path: memberPath, &v)
                        } else if let inner = member.value.objectValue, let use = inner["use"] {
                            if !models.contains(member.key) {
                                v.warning(memberPath, "'\(member.key)' is not one of \(label)'s models, so this chain never applies", fix: "use a name from \(JSONPath.key(path, "models"))")
                            }
                            modelChains[member.key] = self.readChain(use, path: JSONPath.key(memberPath, "use"), &v)
                        } else {
                            v.error(memberPath, "expected \"use\" or a model name with { \"use\": [ … ] }")
                        }
                    }
                } else {
                    v.error(tPath, "must be an object like { \"use\": [\"Anthropic\"] }")
                }
            }
            var vertex: VertexConfiguration?
            if isVertex {
                vertex = self.readVertex(providerChain, baseURL: url, usePath: JSONPath.key(JSONPath.key(path, "transformer"), "use"), label: label, &v)
                if let vertex {
                    if url.isEmpty { url = VertexEndpoint.defaultBase(location: vertex.location) }
                } else {
                    ok = false
                }
            }
            let wire = Self.wire(for: url, chain: providerChain, modelChains: modelChains)
            self.warnInactiveTransformers(providerChain, modelChains, wire: wire, path: JSONPath.key(path, "transformer"), label: label, &v)
            if ok {
                var provider = ProviderConfiguration(
                    name: name, baseURL: url, apiKey: apiKey, models: models, transformers: providerChain,
                    modelTransformers: modelChains, wire: wire)
                if !keys.isEmpty { provider.keys = keys }
                provider.vertex = vertex
                provider.rotation = rotation
                c.providers.append(provider)
            }
        }
    }

    private func readProviderKey(_ entry: JSONValue, path: String, _ v: inout Validation) -> ProviderKey? {
        if let key = entry.stringValue {
            return key.isEmpty ? nil : ProviderKey(key: key)
        }
        guard let object = entry.objectValue, let key = object["key"]?.stringValue, !key.isEmpty else {
            v.error(path, "must be a key string or {\"key\": …, \"weight\": …, \"maxFailures\": …, \"cooldownTime\": …}")
            return nil
        }
        var result = ProviderKey(key: key)
        for (name, keyPath, minimum) in [("weight", \ProviderKey.weight, 1), ("maxFailures", \.maxFailures, 1), ("cooldownTime", \.cooldownSeconds, 0)] {
            guard let value = object[name] else { continue }
            if let n = Self.integer(value), n >= minimum {
                // cooldownTime of 1000 or more is read as milliseconds (the tellerlin fork's unit).
                result[keyPath: keyPath] = name == "cooldownTime" && n >= 1000 ? n / 1000 : n
            } else {
                v.error(JSONPath.key(path, name), "must be a whole number ≥ \(minimum)\(name == "cooldownTime" ? " (seconds)" : "")")
            }
        }
        return result
    }

    private func readChain(_ value: JSONValue, path: String, _ v: inout Validation) -> [TransformerReference] {
        guard let list = value.arrayValue else {
            v.error(path, "must be a list of transformer names", fix: "write \"use\": [\"Anthropic\"]")
            return []
        }
        var chain: [TransformerReference] = []
        for (index, entry) in list.enumerated() {
            let entryPath = JSONPath.index(path, index)
            var reference: TransformerReference?
            if let name = entry.stringValue {
                reference = TransformerReference(name: name)
            } else if let tuple = entry.arrayValue, let name = tuple.first?.stringValue, tuple.count <= 2 {
                if tuple.count == 2 {
                    if let options = tuple[1].objectValue {
                        reference = TransformerReference(name: name, options: options)
                    } else {
                        v.error(JSONPath.index(entryPath, 1), "transformer options must be an object")
                        continue
                    }
                } else {
                    reference = TransformerReference(name: name)
                }
            }
            guard let reference else {
                v.error(entryPath, "expected \"name\" or [\"name\", { options }]")
                continue
            }
            if !self.checkTransformer(reference, path: entryPath, &v) { continue }
            chain.append(reference)
        }
        return chain
    }

    // MARK: - Router

    private func readRouter(_ root: JSONObject, into c: inout CCRConfiguration, _ v: inout Validation) {
        guard let value = root["Router"] else {
            if !c.providers.isEmpty {
                v.error("Router", "no Router section", fix: "add \"Router\": { \"default\": \"\(c.providers[0].name),\(c.providers[0].models.first ?? "model")\" }")
            }
            return
        }
        guard let router = value.objectValue else {
            v.error("Router", "must be an object", fix: "write \"Router\": { \"default\": \"provider,model\" }")
            return
        }
        c.router = self.readRouterTable(router, path: "Router", configuration: c, &v)
        if router["default"] == nil && !c.providers.isEmpty {
            v.error("Router.default", "no default route", fix: "set \"default\": \"\(c.providers[0].name),\(c.providers[0].models.first ?? "model")\"")
        }
    }

    /// The text as JSON5 with the position of every value; a syntax error is a ``ConfigError`` at
    /// its line and column.
    private func parse(_ text: [UInt8], fix: String?) throws(ConfigError) -> (JSONValue, JSONSourceMap) {
        do {
            return try JSONParser.parseWithPositions(text, syntax: .json5)
        } catch {
            throw ConfigError(
                file: self.fileName,
                diagnostics: [ConfigDiagnostic(.error, path: "$", location: error.location, message: "not valid JSON5: \(error.message)", fix: fix)])
        }
    }

    /// Reads a project's or session's `Router` override (`{"Router": {…}}`, or the object itself)
    /// against an already loaded configuration's providers.
    /// - Throws: ``ConfigError`` listing every problem.
    public func loadRouterOverride(text: [UInt8], configuration: CCRConfiguration) throws(ConfigError) -> RouterTable {
        let (raw, map) = try self.parse(text, fix: nil)
        var validation = Validation(map: map)
        validation.declaredProviders = configuration.providers.map { ($0.name, $0.models) }
        var missing: [EnvironmentInterpolator.Missing] = []
        let resolved = EnvironmentInterpolator(environment: self.environment).interpolate(raw, missing: &missing)
        guard let root = resolved.objectValue else {
            throw ConfigError(file: self.fileName, diagnostics: [ConfigDiagnostic(.error, path: "$", location: nil, message: "must be a JSON object")])
        }
        let (object, path) = root["Router"]?.objectValue.map { ($0, "Router") } ?? (root, "$")
        let table = self.readRouterTable(object, path: path, configuration: configuration, &validation)
        if validation.diagnostics.contains(where: { $0.severity == .error }) {
            throw ConfigError(file: self.fileName, diagnostics: validation.sorted)
        }
        return table
    }

    private func readRouterTable(_ router: JSONObject, path: String, configuration c: CCRConfiguration, _ v: inout Validation) -> RouterTable {
        var table = RouterTable()
        table.routes = self.readSlots(router, path: path, configuration: c, &v)
        if let threshold = router["longContextThreshold"] {
            if let t = Self.integer(threshold), t > 0 {
                table.longContextThreshold = t
            } else if Self.integer(threshold) != 0 {
                v.error(JSONPath.key(path, "longContextThreshold"), "must be a positive number of tokens")
            }
        }
        if let families = router["families"] {
            let familiesPath = JSONPath.key(path, "families")
            if let object = families.objectValue {
                for member in object.members {
                    let familyPath = JSONPath.key(familiesPath, member.key)
                    guard let family = ModelFamily(rawValue: member.key.lowercased()) else {
                        v.error(familyPath, "unknown model family '\(member.key)'", fix: "use opus, sonnet, haiku or fable")
                        continue
                    }
                    guard let entry = member.value.objectValue else {
                        v.error(familyPath, "must be an object of routes", fix: "write e.g. {\"default\": \"provider,model\"}")
                        continue
                    }
                    var routes = FamilyRoutes(routes: self.readSlots(entry, path: familyPath, configuration: c, &v))
                    if let text = entry["extendedContext"] {
                        routes.extendedContext = self.readTarget(text, path: JSONPath.key(familyPath, "extendedContext"), configuration: c, &v)
                    }
                    if let fallback = entry["fallback"] {
                        routes.fallback = self.readFallback(fallback, path: JSONPath.key(familyPath, "fallback"), configuration: c, &v)
                    }
                    if let threshold = entry["longContextThreshold"] {
                        if let t = Self.integer(threshold), t > 0 {
                            routes.longContextThreshold = t
                        } else {
                            v.error(JSONPath.key(familyPath, "longContextThreshold"), "must be a positive number of tokens")
                        }
                    }
                    for key in entry.keys where !Self.familyKeys.contains(key) {
                        v.warning(JSONPath.key(familyPath, key), "unknown key, not used", fix: "use \(Self.familyKeys.sorted().joined(separator: ", "))")
                    }
                    table.families[family] = routes
                }
            } else {
                v.error(familiesPath, "must be an object keyed by opus, sonnet, haiku or fable")
            }
        }
        if let trigger = router["thinkTrigger"] {
            table.thinkTrigger = self.readThinkTrigger(trigger, path: JSONPath.key(path, "thinkTrigger"), &v)
        }
        if let rules = router["rules"] {
            let rulesPath = JSONPath.key(path, "rules")
            if let list = rules.arrayValue {
                for (index, entry) in list.enumerated() {
                    if let rule = self.readRule(entry, path: JSONPath.index(rulesPath, index), index: index, configuration: c, &v) {
                        table.rules.append(rule)
                    }
                }
            } else {
                v.error(rulesPath, "must be a list of rules")
            }
        }
        for key in router.keys where !Self.routerKeys.contains(key) {
            v.warning(JSONPath.key(path, key), "unknown Router key, not used", fix: "see docs/configuration.md for the Router keys")
        }
        return table
    }

    static let routerKeys: Set<String> = Set(RouteScenario.slots.map(\.rawValue)).union(["longContextThreshold", "families", "rules", "thinkTrigger", "enableFallback"])
    static let familyKeys: Set<String> = Set(RouteScenario.slots.map(\.rawValue)).union(["extendedContext", "longContextThreshold", "fallback"])

    private func readSlots(_ object: JSONObject, path: String, configuration c: CCRConfiguration, _ v: inout Validation) -> ScenarioRoutes {
        var routes = ScenarioRoutes()
        for scenario in RouteScenario.slots {
            guard let slot = object[scenario.rawValue] else { continue }
            routes[scenario] = self.readTarget(slot, path: JSONPath.key(path, scenario.rawValue), configuration: c, &v)
        }
        return routes
    }

    /// A `"provider,model"` route, checked against the providers; `nil` (and a diagnostic unless
    /// empty) when it is not usable.
    private func readTarget(_ slot: JSONValue, path: String, configuration c: CCRConfiguration, _ v: inout Validation) -> RouteTarget? {
        guard let text = slot.stringValue else {
            v.error(path, "must be a \"provider,model\" string")
            return nil
        }
        if text.trimmingSpaces().isEmpty { return nil }
        guard let target = RouteTarget(parsing: text) else {
            v.error(path, "'\(text)' is not in the form provider,model", fix: "write e.g. \"deepseek,deepseek-chat\"")
            return nil
        }
        guard let provider = c.provider(named: target.provider) else {
            if v.declaredProviders.contains(where: { $0.name.lowercased() == target.provider.lowercased() }) {
                return nil  // the provider itself has errors, reported above
            }
            let names = v.declaredProviders.map(\.name).joined(separator: ", ")
            v.error(path, "no provider named '\(target.provider)'", fix: names.isEmpty ? "add it to Providers" : "use one of: \(names)")
            return nil
        }
        guard let model = provider.model(named: target.model) else {
            v.error(path, "provider '\(provider.name)' has no model '\(target.model)'", fix: "use one of: \(provider.models.joined(separator: ", ")), or add it to that provider's models")
            return nil
        }
        return RouteTarget(provider: provider.name, model: model)
    }

    private func readFallback(_ value: JSONValue, path: String, configuration c: CCRConfiguration, _ v: inout Validation) -> FallbackTable {
        guard let object = value.objectValue else {
            v.error(path, "must be an object of scenario → list of routes", fix: "write e.g. {\"default\": [\"openrouter,deepseek/deepseek-chat\"]}")
            return FallbackTable()
        }
        var table = FallbackTable()
        let scenarios = Set(RouteScenario.allCases.map(\.rawValue))
        for member in object.members {
            let memberPath = JSONPath.key(path, member.key)
            guard scenarios.contains(member.key) else {
                v.error(memberPath, "unknown scenario '\(member.key)'", fix: "use \(RouteScenario.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let list = member.value.arrayValue else {
                v.error(memberPath, "must be a list of \"provider,model\" routes")
                continue
            }
            table.lists[member.key] = list.enumerated().compactMap { index, entry in
                self.readTarget(entry, path: JSONPath.index(memberPath, index), configuration: c, &v)
            }
        }
        return table
    }

    private func readResilience(_ value: JSONValue, _ v: inout Validation) -> ResilienceConfiguration {
        var result = ResilienceConfiguration()
        guard let object = value.objectValue else {
            v.error("Resilience", "must be an object")
            return result
        }
        func number(_ key: String, _ path: String, minimum: Int) -> Int? {
            guard let raw = object[key] ?? nil else { return nil }
            guard let n = Self.integer(raw), n >= minimum else {
                v.error(path, "must be a whole number ≥ \(minimum)")
                return nil
            }
            return n
        }
        if let n = number("retries", "Resilience.retries", minimum: 0) { result.retry.attemptsPerTarget = n + 1 }
        if let n = number("retryBaseMs", "Resilience.retryBaseMs", minimum: 1) { result.retry.baseDelay = .milliseconds(n) }
        if let n = number("retryMaxMs", "Resilience.retryMaxMs", minimum: 1) { result.retry.maxDelay = .milliseconds(n) }
        if let n = number("maxRetryAfterMs", "Resilience.maxRetryAfterMs", minimum: 0) { result.retry.maxRetryAfter = .milliseconds(n) }
        if let n = number("promotionSeconds", "Resilience.promotionSeconds", minimum: 0) { result.promotion = .seconds(n) }
        if let breaker = object["breaker"] {
            if let b = breaker.objectValue {
                if let n = b["windowSeconds"].flatMap(Self.integer), n > 0 { result.breaker.window = .seconds(n) } else if b["windowSeconds"] != nil { v.error("Resilience.breaker.windowSeconds", "must be a positive number of seconds") }
                if let n = b["minimumRequests"].flatMap(Self.integer), n > 0 { result.breaker.minimumRequests = n } else if b["minimumRequests"] != nil { v.error("Resilience.breaker.minimumRequests", "must be a positive number") }
                if let n = b["openSeconds"].flatMap(Self.integer), n > 0 { result.breaker.openFor = .seconds(n) } else if b["openSeconds"] != nil { v.error("Resilience.breaker.openSeconds", "must be a positive number of seconds") }
                if let rate = b["failureRate"]?.doubleValue, rate > 0, rate <= 1 { result.breaker.failureRate = rate } else if b["failureRate"] != nil { v.error("Resilience.breaker.failureRate", "must be a share between 0 and 1, e.g. 0.5") }
            } else {
                v.error("Resilience.breaker", "must be an object")
            }
        }
        let known: Set<String> = ["retries", "retryBaseMs", "retryMaxMs", "maxRetryAfterMs", "promotionSeconds", "breaker"]
        for key in object.keys where !known.contains(key) {
            v.warning(JSONPath.key("Resilience", key), "unknown key, not used", fix: "use \(known.sorted().joined(separator: ", "))")
        }
        return result
    }

    private func readThinkTrigger(_ value: JSONValue, path: String, _ v: inout Validation) -> ThinkTrigger {
        var trigger = ThinkTrigger()
        guard let object = value.objectValue else {
            v.error(path, "must be an object", fix: "write e.g. {\"budgetTokens\": 1024, \"effort\": [\"high\", \"max\"], \"planMode\": true}")
            return trigger
        }
        if let budget = object["budgetTokens"] {
            if let b = Self.integer(budget), b >= 0 { trigger.minimumBudgetTokens = b } else { v.error(JSONPath.key(path, "budgetTokens"), "must be a number of tokens") }
        }
        if let efforts = object["effort"] {
            if let list = efforts.arrayValue, list.allSatisfy({ $0.stringValue != nil }) {
                trigger.efforts = Set(list.compactMap { $0.stringValue?.lowercased() })
            } else {
                v.error(JSONPath.key(path, "effort"), "must be a list of efforts", fix: "write e.g. [\"high\", \"max\"]")
            }
        }
        if let plan = object["planMode"] {
            if let flag = plan.boolValue { trigger.planMode = flag } else { v.error(JSONPath.key(path, "planMode"), "must be true or false") }
        }
        for key in object.keys where !["budgetTokens", "effort", "planMode"].contains(key) {
            v.warning(JSONPath.key(path, key), "unknown key, not used", fix: "use budgetTokens, effort, planMode")
        }
        return trigger
    }

    private func readRule(_ value: JSONValue, path: String, index: Int, configuration c: CCRConfiguration, _ v: inout Validation) -> RouteRule? {
        guard let object = value.objectValue else {
            v.error(path, "must be an object with conditions and a route")
            return nil
        }
        let errorsBefore = v.errorCount
        guard let routeValue = object["route"] else {
            v.error(path, "has no route", fix: "add \"route\": \"provider,model\"")
            return nil
        }
        let target = self.readTarget(routeValue, path: JSONPath.key(path, "route"), configuration: c, &v)
        var rule = RouteRule(name: object["name"]?.stringValue ?? "rules[\(index)]", target: target ?? RouteTarget(provider: "", model: ""))
        if let scenario = object["scenario"] {
            if let s = scenario.stringValue.flatMap({ name in RouteScenario.allCases.first { $0.rawValue.lowercased() == name.lowercased() } }),
                RouteScenario.slots.contains(s) || s == .subagent
            {
                rule.scenario = s
            } else {
                v.error(JSONPath.key(path, "scenario"), "unknown scenario \(scenario)", fix: "use one of: background, think, longContext, webSearch, image, subagent")
            }
        }
        if let model = object["model"] {
            if let text = model.stringValue { rule.model = GlobPattern(text) } else { v.error(JSONPath.key(path, "model"), "must be a pattern string like \"claude-*-haiku-*\"") }
        }
        for (key, keyPath) in [("minTokens", \RouteRule.minTokens), ("maxTokens", \.maxTokens)] {
            guard let bound = object[key] else { continue }
            if let n = Self.integer(bound), n >= 0 { rule[keyPath: keyPath] = n } else { v.error(JSONPath.key(path, key), "must be a number of tokens") }
        }
        if let tools = object["tools"] {
            if let list = tools.arrayValue, list.allSatisfy({ $0.stringValue != nil }) {
                rule.tools = list.compactMap(\.stringValue)
            } else {
                v.error(JSONPath.key(path, "tools"), "must be a list of tool names")
            }
        }
        if let pattern = object["lastUserMessage"] {
            if let text = pattern.stringValue {
                do {
                    rule.lastUserMessage = try RegexPattern(text)
                } catch {
                    v.error(JSONPath.key(path, "lastUserMessage"), "is not a valid regular expression: \(error)")
                }
            } else {
                v.error(JSONPath.key(path, "lastUserMessage"), "must be a regular expression string")
            }
        }
        if let headers = object["headers"] {
            if let map = headers.objectValue, map.members.allSatisfy({ $0.value.stringValue != nil }) {
                rule.headers = map.members.map { (name: $0.key.lowercased(), value: GlobPattern($0.value.stringValue ?? "")) }
            } else {
                v.error(JSONPath.key(path, "headers"), "must map header names to value patterns")
            }
        }
        for key in object.keys where !Self.ruleKeys.contains(key) {
            v.error(JSONPath.key(path, key), "unknown rule condition '\(key)'", fix: "use \(Self.ruleKeys.sorted().joined(separator: ", "))")
        }
        return target != nil && v.errorCount == errorsBefore ? rule : nil
    }

    static let ruleKeys: Set<String> = ["name", "scenario", "model", "minTokens", "maxTokens", "tools", "lastUserMessage", "headers", "route"]

    // MARK: - Helpers

    static func integer(_ value: JSONValue) -> Int? {
        if let i = value.intValue { return i }
        if let s = value.stringValue { return Int(s.trimmingSpaces()) }
        return nil
    }

    static func isLocalURL(_ url: String) -> Bool {
        guard let parts = URLParts(url) else { return false }
        return CCRConfiguration.isLoopback(parts.host)
    }

    static func suggestedKeyVariable(_ providerName: String) -> String {
        let cleaned = providerName.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return (cleaned.isEmpty ? "PROVIDER" : String(cleaned)) + "_API_KEY"
    }

    static func wire(for url: String, chain: [TransformerReference], modelChains: [String: [TransformerReference]]) -> WireProtocol {
        for reference in chain {
            if let wire = TransformerCatalog.wireNames[reference.name] { return wire }
        }
        if url.hasSuffix("/v1/messages") || url.hasSuffix("/messages") { return .anthropic }
        // Gemini's native base (`…/v1beta/models/`), as the original's gemini transformer takes it.
        if url.hasSuffix("/models/") || url.hasSuffix("/models") { return .gemini }
        return .openAIChat
    }
}

/// Collects diagnostics with positions from the source map.
struct Validation {
    let map: JSONSourceMap
    var diagnostics: [ConfigDiagnostic] = []
    /// The top-level `transformers` (custom plugins), read before the providers' `use` lists.
    var customTransformers: [CustomTransformerConfiguration] = []
    /// Every provider written in the file, valid or not, so that routes to a broken provider
    /// are not reported a second time.
    var declaredProviders: [(name: String, models: [String])] = []

    mutating func error(_ path: String, _ message: String, fix: String? = nil) {
        self.diagnostics.append(ConfigDiagnostic(.error, path: path, location: self.locate(path), message: message, fix: fix))
    }

    var errorCount: Int { self.diagnostics.count { $0.severity == .error } }

    mutating func warning(_ path: String, _ message: String, fix: String? = nil) {
        self.diagnostics.append(ConfigDiagnostic(.warning, path: path, location: self.locate(path), message: message, fix: fix))
    }

    /// The position of the path, or of its nearest written ancestor.
    func locate(_ path: String) -> JSONSourceLocation? {
        var candidate = path
        while true {
            if let location = self.map.location(of: candidate) { return location }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else {
                return self.map.location(of: "$")
            }
            candidate = String(candidate[..<cut])
        }
    }

    /// Errors first, each group in file order.
    var sorted: [ConfigDiagnostic] {
        func inFileOrder(_ list: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
            list.enumerated().sorted { a, b in
                let left = a.element.location.map { ($0.line, $0.column) } ?? (Int.max, a.offset)
                let right = b.element.location.map { ($0.line, $0.column) } ?? (Int.max, b.offset)
                return left != right ? left < right : a.offset < b.offset
            }.map(\.element)
        }
        return inFileOrder(self.diagnostics.filter { $0.severity == .error }) + inFileOrder(self.diagnostics.filter { $0.severity == .warning })
    }
}
