import ArgumentParser

/// A failure the CLI reports in one or a few plain lines, with an exit code; never a stack trace.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var code: Int32 = 1

    var description: String { self.message }
}

/// Prints a message to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

import Foundation
