@testable import CCRServer
import Testing

@Suite("Secret redaction")
struct RedactorTests {
    let redactor = Redactor(secrets: ["sk-live-provider-123456", "gateway-secret-99"])

    @Test func knownSecretsAreReplacedByAFingerprint() {
        let line = redactor.redact("calling with sk-live-provider-123456 and key gateway-secret-99 done")
        #expect(!line.contains("sk-live-provider-123456") && !line.contains("gateway-secret-99"))
        #expect(line.contains("[redacted …3456]") && line.contains("[redacted …t-99]"))
        #expect(line.hasSuffix(" done"))
    }

    @Test func keyLookingTokensAreMasked() {
        #expect(redactor.redact("Authorization: Bearer abcdefghijklmnop") == "Authorization: Bearer [redacted]")
        #expect(redactor.redact("url?key=AIzaSyA1234567890abc&x=1") == "url?key=[redacted]&x=1")
        #expect(redactor.redact("token sk-proj-ABCDEFG1234, ok") == "token sk-[redacted], ok")
        #expect(redactor.redact("sk-ab short") == "sk-ab short")
    }

    @Test func textWithoutSecretsIsUnchanged() {
        let text = "route deepseek,deepseek-chat scenario=default — é 😀"
        #expect(redactor.redact(text) == text)
    }
}
