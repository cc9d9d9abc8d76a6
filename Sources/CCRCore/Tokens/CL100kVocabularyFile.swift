import Foundation

/// Finds and reads the `cl100k_base.tiktoken` vocabulary: the only tokenizer file that touches Foundation.
///
/// Looked for, in this order:
/// 1. an explicit path given by the caller;
/// 2. the path in `$CCR_TOKENIZER_VOCAB`;
/// 3. the SwiftPM resource bundle of this target next to the executable (`ccr_CCRCore.resources` on
///    Linux, `ccr_CCRCore.bundle` on macOS; any `*_CCRCore.*` name, since the prefix is the package's
///    identity): where the build puts it and where `scripts/install.sh` copies it;
/// 4. the same next to the bundle that holds this code (test bundles on macOS);
/// 5. the copy in the source tree this binary was built from (`Sources/CCRCore/Resources`).
///
/// SwiftPM's generated `Bundle.module` is not used: it stops the process when its bundle is missing,
/// and a router must not stop over a token estimate. Steps 3 and 5 are the places it would look.
public enum CL100kVocabularyFile {
    /// The resource's file name.
    public static let fileName = "cl100k_base.tiktoken"

    /// The environment variable that names the vocabulary file, overriding the bundled copy.
    public static let environmentVariable = "CCR_TOKENIZER_VOCAB"

    /// The path of the vocabulary file.
    /// - Parameters:
    ///   - explicitPath: a path that wins over every other place; it must exist.
    ///   - environment: where ``environmentVariable`` is read; a path named there must exist.
    /// - Returns: the first existing candidate.
    /// - Throws: ``TokenizerError/vocabularyNotFound(searched:)`` with every place looked at.
    public static func locate(
        explicitPath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TokenizerError) -> String {
        let files = FileManager.default
        if let explicitPath {
            guard files.fileExists(atPath: explicitPath) else { throw .vocabularyNotFound(searched: [explicitPath]) }
            return explicitPath
        }
        if let fromEnvironment = environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            guard files.fileExists(atPath: fromEnvironment) else {
                throw .vocabularyNotFound(searched: ["$\(Self.environmentVariable)=\(fromEnvironment)"])
            }
            return fromEnvironment
        }
        switch CCRResources.locate(fileName: Self.fileName) {
        case .found(let path): return path
        case .missing(let searched): throw .vocabularyNotFound(searched: searched)
        }
    }

    /// The bytes of a vocabulary file.
    /// - Throws: ``TokenizerError/unreadable(path:reason:)``.
    public static func read(_ path: String) throws(TokenizerError) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
