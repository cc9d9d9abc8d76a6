/// Turns a non-streaming Gemini `generateContent` response into an Anthropic message.
///
/// Block order follows Anthropic's: thinking first (the thoughts, then one empty block per further
/// thought signature, each with a ``GeminiThoughtSignature`` naming the part it belongs to), then
/// text and tool calls in Gemini's order, adjacent text parts joined.
public enum GeminiResponseDecoder {
    /// - Throws: ``AnthropicError`` when the body is an error, the prompt was blocked, or the model
    ///   failed to form a function call and produced nothing else.
    public static func message(from response: JSONValue, messageID: String, model: String) throws(AnthropicError) -> JSONValue {
        if case .array(let chunks) = response {
            return try Self.message(fromChunks: chunks, messageID: messageID, model: model)
        }
        if let error = response["error"], !error.isNull {
            throw GeminiError.anthropic(from: error, context: "Gemini error")
        }
        let candidates = response["candidates"]?.arrayValue ?? []
        guard let candidate = candidates.first(where: { ($0["index"]?.intValue ?? 0) == 0 }) else {
            if let reason = response["promptFeedback"]?["blockReason"]?.stringValue {
                throw Self.blockedPrompt(reason, response["promptFeedback"])
            }
            throw AnthropicError(status: 502, kind: .api, message: "Gemini answered without candidates: \(String(response.jsonString().prefix(300)))")
        }
        var thoughts = ""
        var signatures: [GeminiThoughtSignature] = []
        var answer: [JSONValue] = []
        var pendingText = ""
        var calls = 0
        var outputBytes = 0
        func flushText() {
            if !pendingText.isEmpty { answer.append(["type": "text", "text": .string(pendingText)]) }
            pendingText = ""
        }
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            let signature = part["thoughtSignature"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            if part["thought"] == true {
                thoughts += part["text"]?.stringValue ?? ""
                if let signature { signatures.append(GeminiThoughtSignature(anchor: .thought, value: signature)) }
            } else if let call = part["functionCall"], case .object = call {
                if let signature { signatures.append(GeminiThoughtSignature(anchor: .functionCall, value: signature)) }
                flushText()
                var input: JSONValue = call["args"]?.objectValue.map(JSONValue.object) ?? .object([:])
                for partial in call["partialArgs"]?.arrayValue ?? [] { GeminiPartialArguments.apply(partial, to: &input) }
                let id = call["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? AnthropicStreamState.generatedToolID(messageID, calls)
                answer.append(["type": "tool_use", "id": .string(id), "name": .string(call["name"]?.stringValue ?? "unknown_tool"), "input": input])
                calls += 1
                outputBytes += input.jsonString().utf8.count
            } else {
                if let signature { signatures.append(GeminiThoughtSignature(anchor: .text, value: signature)) }
                pendingText += part["text"]?.stringValue ?? ""
            }
        }
        outputBytes += pendingText.utf8.count + thoughts.utf8.count
        var sources: [(title: String, uri: String)] = []
        for source in candidate["groundingMetadata"]?["groundingChunks"]?.arrayValue ?? [] {
            guard let uri = source["web"]?["uri"]?.stringValue, !sources.contains(where: { $0.uri == uri }) else { continue }
            sources.append((source["web"]?["title"]?.stringValue ?? uri, uri))
        }
        if !sources.isEmpty { pendingText += Self.sourcesText(sources) }
        flushText()

        let finish = candidate["finishReason"]?.stringValue?.uppercased()
        if let finish, GeminiUsage.failedCalls.contains(finish), answer.isEmpty {
            throw Self.failedCall(finish, message: candidate["finishMessage"]?.stringValue)
        }
        var content: [JSONValue] = []
        if !thoughts.isEmpty || !signatures.isEmpty {
            let first = signatures.first ?? GeminiThoughtSignature(anchor: .none, value: nil)
            content.append(["type": "thinking", "thinking": .string(thoughts), "signature": .string(first.encoded)])
            for signature in signatures.dropFirst() {
                content.append(["type": "thinking", "thinking": "", "signature": .string(signature.encoded)])
            }
        }
        content += answer
        let usage = GeminiUsage.anthropic(response["usageMetadata"]) ?? AnthropicUsage(outputTokens: max(1, outputBytes / 4))
        return [
            "id": .string(messageID), "type": "message", "role": "assistant",
            "model": .string(response["modelVersion"]?.stringValue ?? model),
            "content": .array(content),
            "stop_reason": .string(GeminiUsage.stopReason(finish, sawFunctionCall: calls > 0)),
            "stop_sequence": nil,
            "usage": usage.json,
        ]
    }

    /// A streamed answer delivered as one JSON array (what Gemini sends for `streamGenerateContent`
    /// without `alt=sse`): converted chunk by chunk, then assembled.
    static func message(fromChunks chunks: [JSONValue], messageID: String, model: String) throws(AnthropicError) -> JSONValue {
        var converter = GeminiStreamConverter(messageID: messageID, model: model, inputTokenEstimate: 0)
        var progress = converter.consume(chunk: .array(chunks))
        if progress == .streaming { progress = converter.finish() }
        if case .failedBeforeContent(let error) = progress { throw error }
        var accumulator = AnthropicMessageAccumulator()
        accumulator.feed(converter.takeOutput())
        if let error = accumulator.error {
            throw AnthropicError(status: 502, kind: .api, message: error["message"]?.stringValue ?? "Gemini failed")
        }
        return Self.thinkingFirst(accumulator.result)
    }

    /// A message assembled from a stream, with its thinking blocks moved to the front as a
    /// message has them (each signature names the part it belongs to, so nothing is lost).
    public static func thinkingFirst(_ message: JSONValue) -> JSONValue {
        guard case .object(var object) = message else { return message }
        let blocks = object["content"]?.arrayValue ?? []
        let thinking = blocks.filter { $0["type"] == "thinking" }
        object["content"] = .array(thinking + blocks.filter { $0["type"] != "thinking" })
        return .object(object)
    }

    /// The error for a prompt Gemini refused to answer (`promptFeedback.blockReason`).
    static func blockedPrompt(_ reason: String, _ feedback: JSONValue?) -> AnthropicError {
        let detail = feedback?["blockReasonMessage"]?.stringValue.map { ": \($0)" } ?? ""
        return AnthropicError.invalidRequest("Gemini blocked the prompt (\(reason))\(detail)")
    }

    /// The error for an answer that was only a failed function call (retryable: a new attempt
    /// usually forms the call).
    static func failedCall(_ reason: String, message: String?) -> AnthropicError {
        AnthropicError(
            status: 502, kind: .api,
            message: "Gemini could not form a valid function call (\(reason))" + (message.map { ": \($0)" } ?? ""))
    }

    /// The web pages a grounded (Google Search) answer drew on, as a closing list.
    static func sourcesText(_ sources: [(title: String, uri: String)]) -> String {
        "\n\nSources:\n" + sources.map { "- [\($0.title)](\($0.uri))" }.joined(separator: "\n")
    }
}
