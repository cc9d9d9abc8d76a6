import ArgumentParser
import CCRCore
import Foundation

extension CCRCommand {
    struct ConfigCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config", abstract: "Check or locate the config.",
            subcommands: [Validate.self, Path.self])

        struct Validate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Check config.json and list every problem.")

            func run() async throws {
                try await CCRCommand.guarded {
                    let context = CLIContext()
                    let configuration = try context.loadConfiguration()
                    print("\(context.home.configFile.path): OK — \(configuration.providers.count) provider(s), default route \(configuration.router.defaultRoute?.description ?? "(none)")")
                }
            }
        }

        struct Path: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the config file's path.")

            func run() {
                print(CLIContext().home.configFile.path)
            }
        }
    }
}
