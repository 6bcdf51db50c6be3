"""Requests per second of the self-hosted skill over real HTTP, with Alexa request verification on and off.

Both services run in this process on waitress (127.0.0.1, free ports), with the same skill code and their own
SQLite files; the signing side is the web tests' certificate authority (tests/web/alexa_signing.py) and the Alexa
APIs the skill calls are the local stand-in, so nothing leaves the machine. The same signed launch requests go to
both, one to each in turn over kept-alive connections, so a busy machine slows both modes alike; the overhead of
verification is the drop in requests per second (target: under 20 %). The client shares the process with the
servers, so absolute figures are conservative: compare the two.

    .venv/bin/python benchmarks/web_throughput.py [--requests 3000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from closer.config import Settings  # noqa: E402
from closer.devtools.alexa_api_standin import running as alexa_api  # noqa: E402
from closer.skill import build_skill  # noqa: E402
from closer.web import create_app  # noqa: E402
from web.alexa_signing import (  # noqa: E402
    CERT_URL,
    SKILL_ID,
    AlexaSigning,
    Authority,
    CertShelf,
    alexa_event,
    new_key,
    running,
    trusting,
)

TARGET_OVERHEAD = 0.20
HOUSEHOLDS = 20


def signed_requests(signing: AlexaSigning, api_endpoint: str) -> list[tuple[bytes, dict[str, str]]]:
    """Launch requests from a few households, freshly stamped (verification allows 150 s of skew)."""
    bodies = [json.dumps(alexa_event(user_id=f"amzn1.ask.account.BENCH-{n:02d}", api_endpoint=api_endpoint)).encode()
              for n in range(HOUSEHOLDS)]
    return [(body, signing.headers(body)) for body in bodies]


def interleaved_latencies(ports: dict[str, int], requests: list[tuple[bytes, dict[str, str]]],
                          count: int) -> dict[str, list[float]]:
    """Seconds per request for each mode, sending one request to each in turn (the order flips every time), so
    whatever else the machine does falls on both modes alike."""
    connections = {mode: http.client.HTTPConnection("127.0.0.1", port, timeout=10) for mode, port in ports.items()}
    latencies: dict[str, list[float]] = {mode: [] for mode in ports}
    try:
        for n in range(count):
            body, headers = requests[n % len(requests)]
            for mode in sorted(ports, reverse=n % 2 == 1):
                started = time.perf_counter()
                connections[mode].request("POST", "/", body=body, headers=headers)
                response = connections[mode].getresponse()
                answer = response.read()
                latencies[mode].append(time.perf_counter() - started)
                if response.status != 200:
                    raise SystemExit(f"the service refused a benchmark request: {response.status} {answer!r}")
        return latencies
    finally:
        for connection in connections.values():
            connection.close()


def verify_alone(signing: AlexaSigning, requests: list[tuple[bytes, dict[str, str]]], count: int) -> float:
    """Microseconds per warm verification, outside any HTTP."""
    verifier = trusting(signing.authority, signing.shelf)
    events: list[Any] = [json.loads(body) for body, _ in requests]
    started = time.perf_counter()
    for n in range(count):
        body, headers = requests[n % len(requests)]
        verifier.verify(headers, body, events[n % len(events)])
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per mode")
    args = parser.parse_args()

    authority, key = Authority.create("Benchmark Alexa CA"), new_key()
    signing = AlexaSigning(authority, key, CertShelf({CERT_URL: authority.chain(key)}))
    with tempfile.TemporaryDirectory(prefix="closer-bench-") as folder, ExitStack() as services:
        api = services.enter_context(alexa_api()).url  # the device time zone lookup each launch makes
        ports = {}
        for mode in ("off", "on"):
            skill = build_skill(Settings(skill_id=SKILL_ID, db_path=Path(folder) / f"{mode}.sqlite3"))
            verifier = trusting(authority, signing.shelf) if mode == "on" else None
            ports[mode] = services.enter_context(running(create_app(skill, verifier), threads=4))
        # warm up: first-launch records for every household, and the verified chain in the certificate cache
        interleaved_latencies(ports, signed_requests(signing, api), HOUSEHOLDS)
        latencies: dict[str, list[float]] = {"off": [], "on": []}
        for batch in range(0, args.requests, 500):  # re-signed now and then: Alexa's timestamps allow 150 s
            measured = interleaved_latencies(ports, signed_requests(signing, api), min(500, args.requests - batch))
            for mode in latencies:
                latencies[mode] += measured[mode]
        alone = verify_alone(signing, signed_requests(signing, api), 2000)

    rate = {mode: len(times) / sum(times) for mode, times in latencies.items()}
    median_ms = {mode: statistics.median(times) * 1000 for mode, times in latencies.items()}
    overhead = 1 - rate["on"] / rate["off"]
    print(f"served skill over HTTP (waitress, 127.0.0.1, one kept-alive client per mode, requests interleaved): "
          f"{args.requests} launch requests per mode")
    print(f"verification off: {rate['off']:7.1f} requests/s  (median {median_ms['off']:.2f} ms per request)")
    print(f"verification on:  {rate['on']:7.1f} requests/s  (median {median_ms['on']:.2f} ms per request; "
          f"certificate cache warm)")
    print(f"overhead of verification: {overhead * 100:.1f} %  (target < {TARGET_OVERHEAD * 100:.0f} %: "
          f"{'met' if overhead < TARGET_OVERHEAD else 'NOT met'})")
    print(f"verify() alone, warm cache: {alone:.0f} µs per request")


if __name__ == "__main__":
    main()
