"""Fixtures for the deployment tests: fake AWS, the stack in moto, and one real bundle per session.

The bundle is built once per test session, the way `ask deploy` builds it: by running `hooks/build.sh`, which runs
`closer bundle`. That downloads the pinned wheels for the Lambda target from PyPI (pip's cache serves later runs)
and needs an interpreter of the runtime's Python version for the bytecode (pyenv's is found).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from moto import mock_aws

from closer.devtools.bundle import Target, find_interpreter

from .infra_support import HANDLER, REGION, ROOT, BuiltBundle, Stack, create_stack


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region, so boto3 never looks for real ones (or asks an instance metadata service)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> BuiltBundle:
    """The real bundle, built by the ASK CLI's hook from a scratch folder (as `ask deploy` runs it)."""
    work = tmp_path_factory.mktemp("ask-build")
    output = work / "build.zip"
    env = {**os.environ, "CLOSER_PYTHON": sys.executable}
    done = subprocess.run([str(ROOT / "hooks" / "build.sh"), str(output), "false"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        pytest.fail(f"hooks/build.sh failed ({done.returncode}):\n{done.stdout}\n{done.stderr}", pytrace=False)
    return BuiltBundle(output, done.stdout)


@pytest.fixture(scope="session")
def target_python() -> str:
    """An interpreter of the Lambda runtime's Python version (the one the bundle's bytecode is for)."""
    version = Target().python_version
    found = find_interpreter(version)
    if found is None:
        pytest.fail(f"no Python {version} on this machine: the bundle cannot be compiled or run for its runtime",
                    pytrace=False)
    return found


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def ask_stack(aws: None, bundle: BuiltBundle) -> Stack:
    """The stack as `ask deploy` creates it: the cfn-deployer's six parameters, and the real bundle as its code."""
    return create_stack("ask-closer-together-default-skillStack-1764201600000", bundle.path.read_bytes(),
                        versioned=True, LambdaRuntime=Target().runtime, LambdaHandler=HANDLER)
