import Foundation

/// Finds the files CCRCore ships as SwiftPM resources (the tokenizer vocabulary, the price table)
/// without SwiftPM's generated `Bundle.module`, which stops the process when its bundle is
/// missing: a router must not stop over a token estimate or a price.
///
/// Looked for, in this order: the resource bundle of this target next to the executable
/// (`ccr_CCRCore.resources` on Linux, `ccr_CCRCore.bundle` on macOS; any `*_CCRCore.*` name, since
/// the prefix is the package's identity), where the build puts it and where `scripts/install.sh`
/// copies it; the same next to the bundle that holds this code (test bundles on macOS); the copy
/// in the source tree this binary was built from (`Sources/CCRCore/Resources`).
public enum CCRResources {
    /// Where a resource is, or every place looked at.
    public enum Location: Sendable, Equatable {
        case found(String)
        case missing(searched: [String])
    }

    /// Looks for a resource file by name.
    public static func locate(fileName: String) -> Location {
        let files = FileManager.default
        var searched: [String] = []
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL { directories.append(executable.resolvingSymlinksInPath().deletingLastPathComponent()) }
        directories.append(Bundle(for: BundleMarker.self).bundleURL.deletingLastPathComponent())
        let parts = fileName.split(separator: ".", maxSplits: 1).map(String.init)
        for directory in directories {
            let bundles = Self.resourceBundles(in: directory)
            if bundles.isEmpty { searched.append(directory.path + "/*_CCRCore.resources") }
            for candidate in bundles {
                if parts.count == 2, let path = Bundle(path: candidate)?.path(forResource: parts[0], ofType: parts[1]) { return .found(path) }
                let flat = candidate + "/" + fileName
                if files.fileExists(atPath: flat) { return .found(flat) }
                searched.append(flat)
            }
        }
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources").appendingPathComponent(fileName).path
        if files.fileExists(atPath: sourceTree) { return .found(sourceTree) }
        searched.append(sourceTree)
        return .missing(searched: searched)
    }

    /// SwiftPM resource bundles of the CCRCore target in a directory, this package's name first.
    private static func resourceBundles(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix("_CCRCore.resources") || $0.hasSuffix("_CCRCore.bundle") }
            .sorted { ($0.hasPrefix("ccr_") ? 0 : 1, $0) < ($1.hasPrefix("ccr_") ? 0 : 1, $1) }
            .map { directory.appendingPathComponent($0).path }
    }

    /// A class defined in this module, for `Bundle(for:)`.
    private final class BundleMarker {}
}
