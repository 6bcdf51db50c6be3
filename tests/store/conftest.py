"""Fixtures for the store tests: fake AWS credentials, DynamoDB Local for the session, and one store per engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from .dynamodb_local import DynamoDbLocalMissing, dynamodb_local, find_jar
from .store_backends import Backend, dynamodb_backend, sqlite_backend


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, so boto3 never looks for real ones (or asks an instance metadata service)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """DynamoDB Local, started once for the whole run; a missing install fails every test that needs it."""
    problem = ""
    try:
        jar = find_jar()
    except DynamoDbLocalMissing as missing:
        problem = str(missing)
    if problem:
        pytest.fail(problem, pytrace=False)
    with dynamodb_local(jar) as endpoint:
        yield endpoint


@pytest.fixture
def moto_backend() -> Iterator[Backend]:
    with mock_aws():
        yield dynamodb_backend("moto", None)


@pytest.fixture
def local_backend(dynamodb_endpoint: str) -> Backend:
    return dynamodb_backend("dynamodb-local", dynamodb_endpoint)


@pytest.fixture(params=["sqlite", "moto", "dynamodb-local"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return sqlite_backend(tmp_path / "households.sqlite3")
    chosen: Backend = request.getfixturevalue("moto_backend" if request.param == "moto" else "local_backend")
    return chosen


@pytest.fixture(params=["moto", "dynamodb-local"])
def dynamo_backend(request: pytest.FixtureRequest) -> Backend:
    chosen: Backend = request.getfixturevalue("moto_backend" if request.param == "moto" else "local_backend")
    return chosen
