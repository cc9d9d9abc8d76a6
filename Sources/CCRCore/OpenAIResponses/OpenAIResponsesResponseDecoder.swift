/// Turns a non-streamed OpenAI Responses `response` object into an Anthropic message.
///
/// The object goes through ``OpenAIResponsesStreamConverter`` and the events it produces are
/// assembled, so a streamed and a non-streamed answer map the same way: blocks in the order of
/// the output items (a reasoning item stays before the call or message it led to, which is the
/// order the provider needs it back in), thinking signed with the reasoning item.
public enum OpenAIResponsesResponseDecoder {
    /// - Throws: ``AnthropicError`` when the body is an error or a failed response.
    public static func message(from response: JSONValue, messageID: String, model: String) throws(AnthropicError) -> JSONValue {
        if response["output"]?.arrayValue == nil, let error = response["error"], !error.isNull {
            throw OpenAIResponsesUsage.error(from: response)
        }
        guard response.objectValue != nil, response["output"]?.arrayValue != nil || response["status"] != nil else {
            throw AnthropicError(status: 502, kind: .api, message: "provider answered without output: \(String(response.jsonString().prefix(300)))")
        }
        var converter = OpenAIResponsesStreamConverter(messageID: messageID, model: model, inputTokenEstimate: 0)
        if case .failedBeforeContent(let error) = converter.consume(chunk: response) { throw error }
        var accumulator = AnthropicMessageAccumulator()
        accumulator.feed(converter.takeOutput())
        if let error = accumulator.error {
            throw AnthropicError(status: 502, kind: .api, message: error["message"]?.stringValue ?? "provider failed")
        }
        return accumulator.result
    }
}
