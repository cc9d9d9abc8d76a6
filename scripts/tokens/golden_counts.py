#!/usr/bin/env python3
"""Golden cl100k_base token counts for the Swift tokenizer tests, computed with OpenAI's tiktoken.

Writes Tests/CCRCoreTests/Fixtures/tokens/golden.json with:

  "encoding"  the tiktoken version and the split pattern it used
  "corpus"    [{"name", "text", "tokens", "pieces"?}]: token IDs for a stress corpus (contractions,
              digit runs, CJK, emoji sequences, combining marks, whitespace runs, code, JSON,
              Arabic/Hindi/Thai, a 20 KB seeded random text ...); "pieces" is the pre-tokenizer
              split (tiktoken's own regex, see split_pieces) for the strings short enough to get it
  "requests"  [{"name", "count", "piece_counts", "json"}]: the total for every Claude Code request
              in Tests/CCRCoreTests/Fixtures/claude-code/*.json (their "body") by the counting rules
              below, the count of each piece in order, and its compact-JSON pieces (tool_use inputs
              then tool input_schemas) as indexes into "compact_json"
  "synthetic" [{"name", "body", "count", "piece_counts", "json"}]: small request bodies covering the
              rules the captures do not exercise (string system, tool_result blocks, images,
              server tools, non-ASCII and escapes in JSON ...)
  "compact_json" the distinct compact JSON strings of all requests, so the Swift writer's output
              can be compared byte for byte

Counting rules (mirrored by CCRCore's RequestTokenCounter; every piece is tokenized on its own and
the counts are summed):
  system      a string, or the "text" of each {"type":"text"} block
  messages    every message whatever its role ("system" included): string content, or per block
              text -> text, thinking -> thinking, tool_use -> name and compact JSON of input,
              tool_result -> its string content or the text of each text block in its content;
              any other block (image, document, redacted_thinking, server tool blocks) -> nothing
  tools       name, description, compact JSON of input_schema (server tools without one: name)
  compact JSON = json.dumps(v, separators=(",", ":"), ensure_ascii=False)

Offline: nothing is fetched. The vocabulary is the repository's own copy
(Sources/CCRCore/Resources/cl100k_base.tiktoken), placed in a temporary TIKTOKEN_CACHE_DIR under the
name tiktoken gives the cl100k_base download, so tiktoken.get_encoding("cl100k_base") builds the
encoding from its own definition (pattern, special tokens) and checks the file's SHA-256.

Re-runnable and deterministic (same inputs -> byte-identical output):

    pip install tiktoken            # tested with tiktoken 0.14.0
    python3 scripts/tokens/golden_counts.py
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VOCAB = os.path.join(ROOT, "Sources/CCRCore/Resources/cl100k_base.tiktoken")
CAPTURES = os.path.join(ROOT, "Tests/CCRCoreTests/Fixtures/claude-code")
OUT = os.path.join(ROOT, "Tests/CCRCoreTests/Fixtures/tokens/golden.json")
VOCAB_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
VOCAB_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
# Strings up to this many UTF-8 bytes also get their pre-tokenizer split recorded.
PIECES_MAX_BYTES = 400


def load_encoding():
    """tiktoken's own cl100k_base, built from the local vocabulary file only."""
    with open(VOCAB, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != VOCAB_SHA256:
        sys.exit(f"{VOCAB}: unexpected SHA-256")
    cache = tempfile.mkdtemp(prefix="ccr-tiktoken-")
    shutil.copyfile(VOCAB, os.path.join(cache, hashlib.sha1(VOCAB_URL.encode()).hexdigest()))
    os.environ["TIKTOKEN_CACHE_DIR"] = cache
    import tiktoken

    try:
        encoding = tiktoken.get_encoding("cl100k_base")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return tiktoken, encoding


def split_pieces(tiktoken, encoding, text: str) -> list[str]:
    """The pieces tiktoken's pre-tokenizer (its Rust regex) cuts `text` into.

    An encoding with the same pattern whose vocabulary holds every substring of `text`: each piece
    is then found whole and comes back as one token, whose bytes are the piece.
    """
    raw = text.encode("utf-8")
    ranks = {bytes([b]): b for b in range(256)}
    for start in range(len(raw)):
        for end in range(start + 2, len(raw) + 1):
            ranks.setdefault(raw[start:end], len(ranks))
    probe = tiktoken.Encoding("ccr-split-probe", pat_str=encoding._pat_str, mergeable_ranks=ranks, special_tokens={})
    pieces = [probe.decode_single_token_bytes(t).decode("utf-8") for t in probe.encode_ordinary(text)]
    assert "".join(pieces) == text
    return pieces


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def request_pieces(body: dict) -> list[str]:
    """The strings counted for an Anthropic Messages request, in order."""
    pieces: list[str] = []
    system = body.get("system")
    if isinstance(system, str):
        pieces.append(system)
    elif isinstance(system, list):
        pieces += [b["text"] for b in system if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)]
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            pieces.append(content)
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, dict):
                    pieces += block_pieces(block)
    for tool in body.get("tools") or []:
        if not isinstance(tool, dict):
            continue
        if isinstance(tool.get("name"), str):
            pieces.append(tool["name"])
        if isinstance(tool.get("description"), str):
            pieces.append(tool["description"])
        if "input_schema" in tool:
            pieces.append(compact(tool["input_schema"]))
    return pieces


def block_pieces(block: dict) -> list[str]:
    kind = block.get("type")
    if kind == "text" and isinstance(block.get("text"), str):
        return [block["text"]]
    if kind == "thinking" and isinstance(block.get("thinking"), str):
        return [block["thinking"]]
    if kind == "tool_use":
        out = [block["name"]] if isinstance(block.get("name"), str) else []
        if "input" in block:
            out.append(compact(block["input"]))
        return out
    if kind == "tool_result":
        content = block.get("content")
        if isinstance(content, str):
            return [content]
        if isinstance(content, list):
            return [b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)]
    return []


def request_entry(encoding, body: dict, json_table: dict[str, int]) -> dict:
    """The total, the count of each piece, and the compact JSON pieces (as indexes into json_table)."""
    pieces = request_pieces(body)
    counts = [len(encoding.encode_ordinary(p)) for p in pieces]
    json_pieces = [json_table.setdefault(compact(v), len(json_table)) for v in request_json_values(body)]
    return {"count": sum(counts), "piece_counts": counts, "json": json_pieces}


def request_json_values(body: dict) -> list:
    """The values request_pieces writes as compact JSON, in order."""
    values = []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_use" and "input" in block:
                values.append(block["input"])
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and "input_schema" in tool:
            values.append(tool["input_schema"])
    return values


def corpus() -> list[tuple[str, str]]:
    """The stress strings: (name, text)."""
    cases = [
        ("empty", ""),
        ("single space", " "),
        ("single letter", "a"),
        ("hello world", "Hello, world!"),
        ("contractions lower", "I'm sure you're right, it's what they've said we'd do and I'll go. don't can't won't"),
        ("contractions upper", "I'M SURE YOU'RE RIGHT, IT'S WHAT THEY'VE SAID WE'D DO AND I'LL GO. DON'T"),
        ("contractions mixed case", "'S 's 'T 't 'Re 'rE 'VE 've 'M 'm 'Ll 'lL 'D 'd 'x 'ſ 'K"),
        ("contractions alone", "'s"),
        ("apostrophe before letters", "'Sam 'rest 'velvet 'llama 'dog 'mister 'table"),
        ("apostrophe runs", "'''s ''ll rock'n'roll O'Neil 90's '"),
        ("typographic apostrophe", "it’s they’re we’ll ’s"),
        ("digits 1 to 7", "1 12 123 1234 12345 123456 1234567"),
        ("digits glued", "abc1234567def89 x1y22z333 3.14159 1,000,000 0x7fffffff 2024-11-01T12:30:00Z"),
        ("unicode digits", "٠١٢٣٤٥٦٧ ५६७८९ ①②③④ ½¾ Ⅻ 𝟙𝟚𝟛 ¹²³"),
        ("cjk", "我们今天去公园散步。東京タワーは333メートルです。한국어 문장도 있습니다."),
        ("emoji zwj and skin tones", "👩‍👩‍👧‍👦 family 👍🏽 ok 🧑🏿‍💻 coder 🏳️‍🌈 flag 🇫🇷🇯🇵 ❤️ 🙂🙃"),
        ("combining marks", "e\u0301 a\u0308 n\u0303o Z\u0335\u0321a\u0336l\u0337g\u0338o\u0335 क्षि"),
        ("accents precomposed", "café naïve résumé Ångström Straße Ünïcödé"),
        ("tabs", "\tindented\t\ttwice\t \t"),
        ("crlf", "line one\r\nline two\r\n\r\nline four\r\n"),
        ("lone cr", "a\rb\r\rc\r"),
        ("mixed whitespace runs", "a  b   c    d \t e\t\t f \n g\n\n h \n\n i\u00a0j\u2003k\u3000l"),
        ("trailing spaces before newline", "word   \nnext  \n\n  \nend"),
        ("trailing whitespace at end", "end of text   "),
        ("trailing newline and spaces at end", "end\n\n  "),
        ("only whitespace", " \t\n \r\n  \n\t "),
        ("spaces then letters", "     leading spaces and     inner"),
        ("newline runs", "\n\n\n\nx\n\n\n"),
        ("space before punctuation", "a ... b !!! c ??? d ;; e  -- f"),
        ("punctuation then newlines", "end.\n\n\nnext!!\r\n\r\n)\n"),
        ("lone punctuation", ". , ; : ! ? ( ) [ ] { } < > / \\ | @ # $ % ^ & * - _ + = ~ ` \" '"),
        ("punctuation runs", "!!!???...---___===+++***&&&%%%$$$###@@@"),
        ("symbols and marks", "™ © ® ° ± × ÷ → ⇒ ∀ ∃ ∑ √ ∞ ≠ ≤ ≥ € £ ¥ ₿"),
        ("non letter before letter", "$var @user #tag ¿Qué? ¡Hola! «quote» “curly” (paren) [bracket] _under"),
        ("arabic", "مرحبا بالعالم! هذا نص عربي مع أرقام ١٢٣ و 456."),
        ("hindi", "नमस्ते दुनिया। यह हिंदी पाठ है, संख्या १२३।"),
        ("thai", "สวัสดีชาวโลก นี่คือข้อความภาษาไทย ๑๒๓"),
        ("hebrew and cyrillic", "שלום עולם Привет, мир! Ελληνικά κείμενα"),
        ("code swift", "func count(_ text: String) -> Int {\n    guard !text.isEmpty else { return 0 }\n    return text.utf8.count / 4\n}\n"),
        ("code python", "def f(x):\n\tif x['key'] != None:\n\t\treturn x[\"key\"] ** 2  # square\n\treturn -1\n"),
        ("code shell", "for f in *.json; do jq -c '.body' \"$f\" | wc -c; done 2>&1 | sort -n\n"),
        ("json", '{"type":"object","properties":{"command":{"type":"string","description":"The command"},"timeout":{"type":"number","maximum":600000}},"required":["command"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}'),
        ("json pretty", '{\n  "a": [1, 2.5, -3e10, true, null],\n  "b": "x\\ny"\n}\n'),
        ("url and path", "https://example.com/path/to/file.html?query=1&b=two#frag /usr/local/bin/ccr ~/.claude-code-router/config.json"),
        ("markdown", "# Title\n\n- item **bold** _it_ `code`\n\n```swift\nlet x = 1\n```\n\n> quote\n"),
        ("long word", "Pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious"),
        ("base64 blob", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
        ("special token text", "<|endoftext|> <|fim_prefix|> <|endofprompt|>"),
        ("control characters", "a\u0000b\u0001c\u001fd\u007fe\u0085f\u200bg\u2028h\u2029i\ufeffj"),
        ("unicode whitespace", "x\u1680y\u2000z\u200aw\u202fv\u205fu\u3000t\u000bs\u000cr"),
        ("whitespace then letter types", "\u00a0word \u3000word \u2003word \u000bword"),
        ("private use and unassigned", "\ue000\uf8ff \U000f0000 \u0378 \U0010fffd"),
        ("astral letters", "𝒜𝓁𝓅𝒽𝒶 𐌰𐌱𐌲 𠀀𠀁𠀂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"),
        ("long space run", " " * 40 + "x" + " " * 33),
        ("long newline run", "x" + "\n" * 30),
        ("repeated char", "a" * 100 + "=" * 80),
        ("mixed scripts glued", "helloмирhello世界123abc٣٤٥xyz"),
        ("case folded contractions", "x'ſ y'ſt z'S w'K v'ﬅ u'\u212a T'LL t'lL"),
        ("unicode 16 letters", "\u1c89\u1c8a ok \U00010d50\U00010d51 \U00016d40"),
        # Pieces longer than the linear-merge limit (128 bytes): merged with the priority queue.
        ("long letter piece", "a" * 1000),
        ("long alternating piece", "ab" * 300 + "c" * 7),
        ("long random letters", random_letters(3_000, seed=7)),
        ("long space piece", " " * 500 + "x"),
        ("long newline piece", "x" + "\n" * 300 + "y"),
        ("long symbol piece", "🙂" * 100 + "=" * 150),
        ("long cjk piece", "的一是不了人我在有他这为之大来以个中上们" * 20),
    ]
    cases.append(("random 20 KB", random_text(20_000, seed=20_251_130)))
    return cases


def random_letters(size: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("etaoinshrdlucmfwypvbgkjqxzETAOIN") for _ in range(size))


def random_text(size: int, seed: int) -> str:
    """Seeded random text mixing every category the pre-tokenizer distinguishes."""
    rng = random.Random(seed)
    words = ["the", "router", "token", "Claude", "model", "don't", "it's", "WE'LL", "x", "naïve", "東京", "数据",
             "привет", "مرحبا", "नमस्ते", "สวัสดี", "👍🏽", "🧑‍💻", "e\u0301", "ſ", "𝒜𝓁"]
    pieces = [" ", " ", " ", "  ", "\n", "\n\n", "\t", "\r\n", " \n", "\u00a0", "\u3000"]
    punctuation = [".", ",", "!", "?", "...", "-", "(", ")", "{", "}", "\"", "'", ":", ";", "/", "==", "->", "$", "#"]
    out: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.5:
            token = rng.choice(words)
        elif roll < 0.62:
            token = str(rng.randrange(10 ** rng.randint(1, 7)))
        elif roll < 0.8:
            token = rng.choice(punctuation)
        elif roll < 0.97:
            token = rng.choice(pieces)
        else:
            token = chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0x3000), rng.randrange(0x1F300, 0x1FAFF)]))
        out.append(token)
        length += len(token.encode("utf-8"))
    return "".join(out)


def synthetic_requests() -> list[tuple[str, dict]]:
    """Request bodies for the rules the captures do not reach."""
    return [
        ("empty request", {}),
        ("empty messages", {"model": "m", "messages": [], "max_tokens": 10}),
        ("string system and string content", {"system": "You are terse.", "messages": [{"role": "user", "content": "Say hi."}]}),
        ("system message inside messages", {"messages": [
            {"role": "user", "content": "first"},
            {"role": "system", "content": [{"type": "text", "text": "Rules: be brief."}]},
        ]}),
        ("tool result with blocks", {"messages": [
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "I should list the files.", "signature": "c2lnbmF0dXJl"},
                {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"},
                {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls -la", "timeout": 1.5, "flags": [True, False, None], "n": -3}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": [
                    {"type": "text", "text": "total 8\ndrwxr-xr-x  2 root root 4096 ."},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                    {"type": "text", "text": "second block"},
                ]},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": "plain string result", "is_error": True},
                {"type": "tool_result", "tool_use_id": "toolu_3"},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "not counted"}},
                {"type": "text", "text": "What now?"},
            ]},
        ]}),
        ("server tools and unicode schema", {
            "system": [{"type": "text", "text": "Système: réponds en français 🇫🇷."}, {"type": "image", "source": {}}],
            "messages": [
                {"role": "user", "content": "Cherche «tokenizer» sur le web"},
                {"role": "assistant", "content": [
                    {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "tokenizer"}},
                    {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
                    {"type": "tool_use", "id": "toolu_9", "name": "Écrire", "input": {"chemin": "/tmp/é.txt", "texte": "ligne 1\nligne \"2\"\t\\ fin", "vide": {}, "liste": []}},
                ]},
            ],
            "tools": [
                {"type": "web_search_20250305", "name": "web_search", "max_uses": 5},
                {"name": "Écrire", "description": "Écrit un fichier.\nUtilise des chemins absolus.", "input_schema": {
                    "type": "object", "properties": {"chemin": {"type": "string", "description": "Chemin « absolu »"},
                                                      "ratio": {"type": "number", "minimum": 0.25, "maximum": 1e-07}},
                    "required": ["chemin"], "additionalProperties": False}},
                {"name": "NoSchema"},
            ],
        }),
    ]


def dump(golden: dict) -> str:
    """JSON with one line per corpus string or request, so diffs stay readable."""
    lines = ["{"]
    keys = list(golden)
    for index, key in enumerate(keys):
        value = golden[key]
        comma = "," if index < len(keys) - 1 else ""
        if isinstance(value, list):
            lines.append(f" {json.dumps(key)}: [")
            lines += [f"  {compact(item)}{',' if i < len(value) - 1 else ''}" for i, item in enumerate(value)]
            lines.append(f" ]{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    tiktoken, encoding = load_encoding()
    corpus_out = []
    for name, text in corpus():
        entry = {"name": name, "text": text, "tokens": encoding.encode_ordinary(text)}
        if len(text.encode("utf-8")) <= PIECES_MAX_BYTES:
            entry["pieces"] = split_pieces(tiktoken, encoding, text)
        corpus_out.append(entry)
    json_table: dict[str, int] = {}
    requests_out = []
    for path in sorted(glob.glob(os.path.join(CAPTURES, "*.json"))):
        with open(path, encoding="utf-8") as f:
            body = json.load(f)["body"]
        requests_out.append({"name": os.path.basename(path), **request_entry(encoding, body, json_table)})
    synthetic_out = []
    for name, body in synthetic_requests():
        synthetic_out.append({"name": name, "body": body, **request_entry(encoding, body, json_table)})
    golden = {
        "generator": "scripts/tokens/golden_counts.py",
        "encoding": {"name": encoding.name, "tiktoken": tiktoken.__version__, "pattern": encoding._pat_str},
        "corpus": corpus_out,
        "requests": requests_out,
        "synthetic": synthetic_out,
        "compact_json": list(json_table),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(dump(golden))
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(corpus_out)} corpus strings, {len(requests_out)} requests, "
          f"{len(synthetic_out)} synthetic requests")


if __name__ == "__main__":
    main()
