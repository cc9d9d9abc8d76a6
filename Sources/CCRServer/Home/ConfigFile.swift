import CCRCore
import Foundation

/// Reads `config.json` from the ccr home and writes the starter config on first run.
public enum ConfigFile {
    /// What happened when loading.
    public enum Outcome: Sendable {
        case loaded(CCRConfiguration, warnings: [ConfigDiagnostic])
        /// There was no config; a commented starter was written there.
        case createdStarter(URL)
    }

    /// Loads and validates the config; writes a starter config when there is none.
    /// - Throws: ``ConfigError`` with every problem; a read failure as a one-diagnostic error.
    public static func load(home: CCRHome, environment: [String: String]) throws(ConfigError) -> Outcome {
        let url = home.configFile
        guard FileManager.default.fileExists(atPath: url.path) else {
            do {
                try home.prepare()
                try Data(StarterConfig.text.utf8).write(to: url, options: .withoutOverwriting)
                try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
            } catch {
                throw ConfigError(
                    file: url.path,
                    diagnostics: [ConfigDiagnostic(.error, path: "$", message: "cannot write a starter config: \(error.localizedDescription)", fix: "check that \(home.root.path) is writable, or set CCR_HOME")])
            }
            return .createdStarter(url)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigError(file: url.path, diagnostics: [ConfigDiagnostic(.error, path: "$", message: "cannot read the file: \(error.localizedDescription)")])
        }
        var (configuration, warnings) = try ConfigLoader(environment: environment, fileName: url.path).load(text: Array(data))
        if let path = configuration.rewriteSystemPromptPath {
            let expanded = (path as NSString).expandingTildeInPath
            guard let text = try? String(contentsOfFile: expanded, encoding: .utf8) else {
                throw ConfigError(
                    file: url.path,
                    diagnostics: [
                        ConfigDiagnostic(
                            .error, path: "REWRITE_SYSTEM_PROMPT", message: "cannot read \(expanded)",
                            fix: "point REWRITE_SYSTEM_PROMPT at a readable UTF-8 text file, or remove the key")
                    ] + warnings)
            }
            configuration.rewriteSystemPrompt = text
        }
        return .loaded(configuration, warnings: warnings)
    }
}
