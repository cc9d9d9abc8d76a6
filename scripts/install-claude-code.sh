#!/usr/bin/env bash
# Installs the real Claude Code CLI for the end-to-end tests: the native binary that ships
# inside the PyPI wheel claude-agent-sdk. Prints the binary's path.
#   CLAUDE_AGENT_SDK_VERSION  wheel version (default 0.2.187, Claude Code 2.1.330)
#   CCR_TOOLS_DIR             cache folder (default ~/.cache/ccr-tools)
set -euo pipefail
version="${CLAUDE_AGENT_SDK_VERSION:-0.2.187}"
dir="${CCR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccr-tools}/claude-$version"
bin="$dir/claude"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --no-deps --quiet --disable-pip-version-check \
    --only-binary=:all: --platform manylinux_2_17_x86_64 --python-version 3.11 \
    "claude-agent-sdk==$version" -d "$tmp" >&2
  wheel="$(ls "$tmp"/claude_agent_sdk-*.whl | head -n 1)"
  python3 - "$wheel" "$bin" <<'PY'
import sys, zipfile, os
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    data = z.read("claude_agent_sdk/_bundled/claude")
with open(target + ".part", "wb") as f:
    f.write(data)
os.chmod(target + ".part", 0o755)
os.replace(target + ".part", target)
PY
fi
echo "$bin"
