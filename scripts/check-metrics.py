#!/usr/bin/env python3
"""Checks a ccr /metrics exposition with the official Prometheus Python parser.

Usage:
  scripts/check-metrics.py < metrics.txt
  scripts/check-metrics.py http://127.0.0.1:3456/metrics [--api-key KEY]
  scripts/check-metrics.py --require ccr_build_info,ccr_streams_in_flight < metrics.txt

Exits 0 when the text parses and every required family is present, 1 when a family is
missing, 2 when the text does not parse or cannot be read. Needs `prometheus_client`
(`pip install --user prometheus_client`).

A fresh server has no request series yet: the request families appear after the first
recorded request and ccr_circuit_state after the first outcome at a provider, so check a
fresh server with --require.
"""

import argparse
import os
import sys
import urllib.request

DEFAULT_REQUIRED = [
    "ccr_requests_total",
    "ccr_tokens_total",
    "ccr_ttft_seconds",
    "ccr_request_duration_seconds",
    "ccr_circuit_state",
    "ccr_streams_in_flight",
]


def read_exposition(source, api_key):
    if source is None or source == "-":
        return sys.stdin.read()
    request = urllib.request.Request(source)
    if api_key:
        request.add_header("Authorization", "Bearer " + api_key)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode("utf-8")


def main():
    parser = argparse.ArgumentParser(description="Parse and check a ccr /metrics exposition.")
    parser.add_argument("source", nargs="?", help="a /metrics URL; standard input when omitted or '-'")
    parser.add_argument("--api-key", default=os.environ.get("CCR_APIKEY"), help="sent as a Bearer token (default: $CCR_APIKEY)")
    parser.add_argument("--require", help="comma-separated families that must be present (default: %s)" % ",".join(DEFAULT_REQUIRED))
    arguments = parser.parse_args()

    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        print("check-metrics: prometheus_client is missing (pip install --user prometheus_client)", file=sys.stderr)
        return 2

    try:
        text = read_exposition(arguments.source, arguments.api_key)
    except Exception as error:  # noqa: BLE001 - any failure to read is reported the same way
        print("check-metrics: cannot read the exposition: %s" % error, file=sys.stderr)
        return 2

    try:
        families = list(text_string_to_metric_families(text))
    except Exception as error:  # noqa: BLE001 - the parser raises ValueError and others
        print("check-metrics: the exposition does not parse: %s" % error, file=sys.stderr)
        return 2

    # The parser names a counter family without its _total suffix; accept both spellings.
    present = {}
    for family in families:
        present[family.name] = family
        if family.type == "counter":
            present[family.name + "_total"] = family

    required = DEFAULT_REQUIRED if arguments.require is None else [name for name in arguments.require.split(",") if name]
    missing = [name for name in required if name not in present]

    samples = 0
    for family in sorted(families, key=lambda family: family.name):
        samples += len(family.samples)
        print("%-36s %-10s %4d samples" % (family.name, family.type, len(family.samples)))
    print("%d families, %d samples" % (len(families), samples))

    if missing:
        print("check-metrics: missing families: %s" % ", ".join(missing), file=sys.stderr)
        return 1
    print("check-metrics: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
