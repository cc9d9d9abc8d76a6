import CCRCore
import Testing

@Suite("JSON and JSON5 parsing")
struct JSONParserTests {
    @Test func parsesAndWritesBackStrictJSONUnchanged() throws {
        let text = #"{"a":[1,-2,3.5,1e-05,true,false,null],"b":{"c":"x\"y\\z\n\u0001é😀"},"d":128000}"#
        let value = try JSONParser.parse(text)
        #expect(value["d"] == .int(128000))
        #expect(value["b"]?["c"] == .string("x\"y\\z\n\u{01}é😀"))
        let again = try JSONParser.parse(value.jsonString())
        #expect(again == value)
        #expect(value.jsonString().contains(#""d":128000"#))
    }

    @Test func keepsMemberOrder() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value.jsonString() == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: [
        ("{", "1:2"), (#"{"a":}"#, "1:6"), ("[1,]", "1:4"), (#"{"a":1,}"#, "1:8"), ("01", "1:1"), ("\"abc", "1:1"),
        ("{\n  \"a\": tru\n}", "2:8"), ("1 2", "1:3"),
    ])
    func strictModeRejectsWithAPosition(text: String, position: String) {
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            (error as? JSONParseError)?.location?.description == position
        }
    }

    @Test func json5AcceptsCommentsTrailingCommasQuotesAndHex() throws {
        let text = """
            // a comment
            {
              /* block */ unquoted: 'single',
              "hex": 0x1F, "plus": +1, "half": .5,
              "list": [1, 2,],
            }
            """
        let value = try JSONParser.parse(text, syntax: .json5)
        #expect(value["unquoted"] == "single")
        #expect(value["hex"] == .int(31))
        #expect(value["plus"] == .int(1))
        #expect(value["half"] == .double(0.5))
        #expect(value["list"] == [1, 2])
    }

    @Test func recordsWhereEachValueStarts() throws {
        let text = "{\n  \"Providers\": [\n    {\"name\": \"a\"}\n  ]\n}"
        let (_, map) = try JSONParser.parseWithPositions(Array(text.utf8))
        #expect(map.location(of: "Providers")?.description == "2:16")
        #expect(map.location(of: "Providers[0].name")?.description == "3:14")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func replacesTheTopLevelModelAndNothingElse() throws {
        let body = Array(#"{ "messages":[{"model":"inner"}], "model" : "claude-opus-5-5" ,"x":"\"model\""}"#.utf8)
        let patched = try #require(JSONTopLevel.replacingString("model", with: "deepseek-chat", in: body))
        #expect(String(decoding: patched, as: UTF8.self) == #"{ "messages":[{"model":"inner"}], "model" : "deepseek-chat" ,"x":"\"model\""}"#)
        let inserted = try #require(JSONTopLevel.replacingString("model", with: "m", in: Array(#"{"a":1}"#.utf8)))
        #expect(String(decoding: inserted, as: UTF8.self) == #"{"model":"m","a":1}"#)
        #expect(JSONTopLevel.replacingString("model", with: "m", in: Array("[1]".utf8)) == nil)
    }
}
