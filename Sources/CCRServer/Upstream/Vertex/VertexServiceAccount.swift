import CCRCore
import Crypto
import Foundation
import _CryptoExtras

/// Why Vertex AI credentials could not be used; the description says what to fix.
public struct VertexAuthError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The parts of a Google service-account key file that ccr uses. The key stays in memory only.
struct VertexServiceAccount: Sendable {
    var clientEmail: String
    var privateKeyID: String?
    var tokenURI: String
    var projectID: String?
    let signingKey: _RSA.Signing.PrivateKey

    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Reads and checks the file at `path`.
    static func load(path: String) throws(VertexAuthError) -> VertexServiceAccount {
        let fix = "download a JSON key for the service account (Google Cloud console → IAM → Service accounts → Keys) and point \"credentials\" in the provider's options, or GOOGLE_APPLICATION_CREDENTIALS, at it"
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read (check its permissions)" : "there is no such file"
            throw VertexAuthError(description: "Vertex AI credentials \(path): \(reason). Fix: \(fix)")
        }
        guard let object = (try? JSONParser.parse(Array(data)))?.objectValue else {
            throw VertexAuthError(description: "Vertex AI credentials \(path): the file is not a JSON object. Fix: \(fix)")
        }
        func field(_ name: String) -> String? {
            guard let value = object[name]?.stringValue, !value.isEmpty else { return nil }
            return value
        }
        if let type = field("type"), type != "service_account" {
            throw VertexAuthError(
                description: "Vertex AI credentials \(path): \"type\" is \"\(type)\", but ccr needs a service-account key (\"type\": \"service_account\"). Fix: \(fix)")
        }
        guard let email = field("client_email") else {
            throw VertexAuthError(description: "Vertex AI credentials \(path): the file has no client_email; it is not a service-account key. Fix: \(fix)")
        }
        guard let pem = field("private_key") else {
            throw VertexAuthError(description: "Vertex AI credentials \(path): the file has no private_key. Fix: \(fix)")
        }
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw VertexAuthError(description: "Vertex AI credentials \(path): private_key is not a PEM RSA private key. Fix: \(fix)")
        }
        return VertexServiceAccount(
            clientEmail: email, privateKeyID: field("private_key_id"), tokenURI: field("token_uri") ?? Self.defaultTokenURI,
            projectID: field("project_id"), signingKey: key)
    }
}

/// The signed assertion exchanged for an access token (RFC 7523, RS256).
enum VertexJWT {
    static let scope = "https://www.googleapis.com/auth/cloud-platform"
    static let lifetime = 3600

    static func assertion(for account: VertexServiceAccount, issuedAt: Date) throws -> String {
        var header: JSONObject = ["alg": "RS256", "typ": "JWT"]
        if let kid = account.privateKeyID { header["kid"] = .string(kid) }
        let iat = Int(issuedAt.timeIntervalSince1970)
        let claims: JSONValue = [
            "iss": .string(account.clientEmail), "scope": .string(Self.scope), "aud": .string(account.tokenURI),
            "iat": .int(iat), "exp": .int(iat + Self.lifetime),
        ]
        let signingInput = Self.base64URL(JSONValue.object(header).encoded()) + "." + Self.base64URL(claims.encoded())
        let digest = SHA256.hash(data: Array(signingInput.utf8))
        let signature = try account.signingKey.signature(for: digest, padding: .insecurePKCS1v1_5)
        return signingInput + "." + Self.base64URL(signature.rawRepresentation)
    }

    /// Base64 with the URL alphabet and no padding.
    static func base64URL<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }
}
