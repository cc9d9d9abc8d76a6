#!/usr/bin/env bash
# The whole test suite: unit, integration (mock upstreams on loopback) and end-to-end (the
# built ccr binary and the real Claude Code CLI from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CCR_CLAUDE_BIN:-}" ]; then
  CCR_CLAUDE_BIN="$(scripts/install-claude-code.sh)"
  export CCR_CLAUDE_BIN
fi
swift build --build-tests
# Unit and integration tests first, then the slow end-to-end ones (the real Claude Code CLI and
# the built ccr) on their own, so that their CPU use does not skew the timing assertions.
swift test --skip-build --skip CCREndToEndTests
swift test --skip-build --filter CCREndToEndTests
