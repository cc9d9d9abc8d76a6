import CCRCore
import CCRServer
import Foundation

/// Where `ccr statusline` gets its facts: the config, the running server, the transcript, git,
/// and script modules. Every source is optional and bounded in time; a failure leaves its
/// variables empty.
struct StatusLineSources {
    /// What the status line needs from `config.json`.
    struct Settings {
        var port = 3456
        var apiKey: String?
        var statusLine = StatusLineConfiguration()
        /// The model part of `Router.default`.
        var defaultModel: String?
    }

    /// The server gets this long, for both requests together.
    static let serverBudget: Duration = .milliseconds(300)
    static let gitTimeout: Duration = .milliseconds(300)
    static let scriptTimeout: Duration = .seconds(1)
    /// How much of the transcript's end is read first, and at most.
    static let transcriptTail = 256 << 10
    static let transcriptTailRetry = 2 << 20

    var environment: [String: String]
    var home: CCRHome

    init(environment: [String: String]) {
        self.environment = environment
        self.home = CCRHome.fromEnvironment(environment)
    }

    /// Reads the config without writing anything (no starter config) and without failing: a file
    /// that does not validate is still read for its `PORT`, `APIKEY`, `StatusLine` and `Router`.
    func settings() -> Settings {
        var settings = Settings()
        if let port = self.environment["SERVICE_PORT"].flatMap({ Int($0) }) { settings.port = port }
        guard let data = FileManager.default.contents(atPath: self.home.configFile.path) else { return settings }
        if let (configuration, _) = try? ConfigLoader(environment: self.environment).load(text: Array(data)) {
            settings.port = configuration.port
            settings.apiKey = configuration.apiKey
            settings.statusLine = StatusLineConfiguration(json: configuration.resolved["StatusLine"])
            settings.defaultModel = configuration.router.defaultRoute?.model
        } else if let raw = try? JSONParser.parse(Array(data), syntax: .json5) {
            if settings.port == 3456, let port = raw["PORT"]?.intValue ?? raw["PORT"]?.stringValue.flatMap({ Int($0) }) {
                settings.port = port
            }
            settings.apiKey = raw["APIKEY"]?.stringValue.flatMap { $0.isEmpty || $0.contains("$") ? nil : $0 }
            settings.statusLine = StatusLineConfiguration(json: raw["StatusLine"])
            settings.defaultModel = raw["Router"]?["default"]?.stringValue.flatMap { RouteTarget(parsing: $0)?.model }
        }
        return settings
    }

    /// Asks the running server for the session's last request and totals.
    func sessionUsage(session: String, port: Int, apiKey: String?) -> StatusLineSessionUsage? {
        let deadline = ContinuousClock.now + Self.serverBudget
        let headers = apiKey.map { ["x-api-key": $0] } ?? [:]
        let query = Self.percentEncoded(session)
        func get(_ path: String) -> JSONValue? {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .milliseconds(5) else { return nil }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            guard let answer = try? LocalHTTP.request(port: port, path: path, headers: headers, timeout: seconds), answer.status == 200
            else { return nil }
            return try? JSONParser.parse(Array(answer.body))
        }
        // A few records, so that a background request (a title, a quota check) does not hide the
        // conversation's model.
        guard let records = get("/api/usage?session=\(query)&page_size=5") else { return nil }
        let summary = get("/api/usage/summary?session=\(query)")
        return StatusLineSessionUsage(records: records, summary: summary)
    }

    /// The last assistant turn of the transcript, reading only the end of a big file.
    static func lastTranscriptTurn(path: String) -> StatusLineTranscriptTurn? {
        let descriptor = open((path as NSString).expandingTildeInPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        for tail in [Self.transcriptTail, Self.transcriptTailRetry] {
            let length = min(size, tail)
            var bytes = [UInt8](repeating: 0, count: length)
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(size - length)) }
            guard count == length else { return nil }
            if let turn = StatusLineTranscriptTurn.last(inTail: bytes, startsMidLine: length < size) { return turn }
            if length == size { return nil }
        }
        return nil
    }

    /// `git branch --show-current` in the directory; `nil` outside a repository or on a detached head.
    static func gitBranch(directory: String, environment: [String: String]) -> String? {
        var environment = environment
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        guard
            let result = StatusLineSubprocess.run(
                "git", ["-C", directory, "branch", "--show-current"], environment: environment, timeout: Self.gitTimeout),
            result.status == 0
        else { return nil }
        let branch = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return branch.isEmpty ? nil : branch
    }

    /// Runs a script module through node: its function export is called as
    /// `fn(variables, options)` (awaited), a string export is used as is. `nil` when node or the
    /// file is missing, the module fails, or it takes over a second.
    func runScript(_ module: StatusLineModule, variables: StatusLineVariables) -> String? {
        guard let scriptPath = module.scriptPath else { return nil }
        var path = (scriptPath as NSString).expandingTildeInPath
        if !path.hasPrefix("/") { path = self.home.root.appendingPathComponent(path).path }
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let arguments = ["-e", Self.nodeScript, "--", path, variables.json.jsonString(), module.options.jsonString()]
        guard let result = StatusLineSubprocess.run("node", arguments, environment: self.environment, timeout: Self.scriptTimeout),
            result.status == 0
        else { return nil }
        return String(decoding: result.output, as: UTF8.self)
    }

    /// The node program that loads a script module and prints its text. The module's own
    /// `console.log` goes to stderr so that only the result reaches the line.
    static let nodeScript = #"""
        const [file, variables, options] = process.argv.slice(1);
        console.log = console.info = console.error;
        const load = async () => {
          try { return require(file); } catch (error) {
            if (error && error.code === 'ERR_REQUIRE_ESM') return import(require('url').pathToFileURL(file).href);
            throw error;
          }
        };
        load().then(async (loaded) => {
          let value = loaded;
          if (value && typeof value === 'object' && 'default' in value) value = value.default;
          if (typeof value === 'function') value = await value(JSON.parse(variables), JSON.parse(options));
          if (typeof value !== 'string' && typeof value !== 'number') process.exit(1);
          process.stdout.write(String(value), () => process.exit(0));
        }).catch(() => process.exit(1));
        """#

    /// Percent-encodes everything but unreserved characters, for a query value.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            let unreserved = ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
            if unreserved || "-._~".unicodeScalars.contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
