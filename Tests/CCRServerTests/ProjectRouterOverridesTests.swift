import CCRCore
import CCRServer
import Foundation
import Logging
import Testing

@Suite("Per-project and per-session Router files")
struct ProjectRouterOverridesTests {
    static let configuration = try! ConfigLoader(environment: [:]).load(text: Array(#"""
        {"Providers": [{"name": "p", "api_base_url": "http://127.0.0.1:1/v1/chat/completions", "models": ["a", "b", "c"]}],
         "Router": {"default": "p,a"}}
        """#.utf8)).0

    /// A home with Claude Code's session file for `session` under project folder `-work-app`.
    static func home(session: String) throws -> (URL, CCRHome) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ccr-overrides-\(UUID().uuidString.prefix(8))")
        let project = root.appendingPathComponent(".claude/projects/-work-app")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try Data("{}\n".utf8).write(to: project.appendingPathComponent("\(session).jsonl"))
        let ccr = CCRHome(root: root.appendingPathComponent(".claude-code-router"))
        try FileManager.default.createDirectory(at: ccr.root.appendingPathComponent("-work-app"), withIntermediateDirectories: true)
        return (root, ccr)
    }

    @Test func theSessionFileWinsOverTheProjectFileAndChangesAreSeen() throws {
        let (root, home) = try Self.home(session: "s1")
        defer { try? FileManager.default.removeItem(at: root) }
        let overrides = ProjectRouterOverrides(home: home, environment: ["HOME": root.path], logger: Logger(label: "test"))
        let folder = home.root.appendingPathComponent("-work-app")
        #expect(overrides.table(session: "s1", configuration: Self.configuration) == nil)
        try Data(#"{"Router": {"default": "p,b"}}"#.utf8).write(to: folder.appendingPathComponent("config.json"))
        let project = try #require(overrides.table(session: "s1", configuration: Self.configuration))
        #expect(project.0.defaultRoute == RouteTarget(provider: "p", model: "b"))
        #expect(project.1.hasSuffix("-work-app/config.json"))
        try Data(#"{"Router": {"default": "p,c"}}"#.utf8).write(to: folder.appendingPathComponent("s1.json"))
        #expect(overrides.table(session: "s1", configuration: Self.configuration)?.0.defaultRoute == RouteTarget(provider: "p", model: "c"))
        #expect(overrides.table(session: "other", configuration: Self.configuration) == nil)
        #expect(overrides.table(session: nil, configuration: Self.configuration) == nil)
    }

    @Test func aBrokenFileIsIgnored() throws {
        let (root, home) = try Self.home(session: "s2")
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(#"{"Router": {"default": "p,zzz"}}"#.utf8).write(to: home.root.appendingPathComponent("-work-app/config.json"))
        let overrides = ProjectRouterOverrides(home: home, environment: ["HOME": root.path], logger: Logger(label: "test"))
        #expect(overrides.table(session: "s2", configuration: Self.configuration) == nil)
    }
}
