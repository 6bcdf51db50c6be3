"""Dialog scripts as pytest test cases: every conversation in a *.yaml script is one test, run in process.

Use it from a conftest.py in the folder that holds the scripts:

    from closer.devtools.pytest_plugin import collect_dialogs

    def pytest_collect_file(parent, file_path):
        return collect_dialogs(parent, file_path)

A failing conversation is reported the way `closer replay` reports it: the turn, what was expected, what Alexa
said, and the conversation so far. One skill (on a temporary SQLite file) and one Alexa API stand-in serve the
whole test session; each conversation is its own household, so the order of the tests does not matter.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from .dialog import Conversation, ScriptError, load
from .replay import Replay, Result, replaying, report

_REPLAY = pytest.StashKey[Replay]()


def collect_dialogs(parent: pytest.Collector, file_path: Path) -> DialogFile | None:
    if file_path.suffix in (".yaml", ".yml"):
        return DialogFile.from_parent(parent, path=file_path)
    return None


class DialogFile(pytest.File):
    def collect(self) -> Iterator[DialogItem]:
        try:
            conversations = load(self.path)
        except ScriptError as err:
            raise self.CollectError(str(err)) from err
        for conversation in conversations:
            yield DialogItem.from_parent(self, name=conversation.name, conversation=conversation)


class DialogFailed(Exception):
    def __init__(self, result: Result) -> None:
        super().__init__(result.conversation.name)
        self.result = result


class DialogItem(pytest.Item):
    def __init__(self, *, conversation: Conversation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conversation = conversation

    def runtest(self) -> None:
        result = _replay(self.config).run(self.conversation)
        if not result.passed:
            raise DialogFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, DialogFailed):
            return "\n".join(report(excinfo.value.result))
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.conversation.line - 1, f"dialog: {self.conversation.name}"


def _replay(config: pytest.Config) -> Replay:
    """The session's Replay, made on first use and closed with the session."""
    if _REPLAY not in config.stash:
        stack = ExitStack()
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="closer-dialogs-")))
        config.stash[_REPLAY] = stack.enter_context(replaying(db=scratch / "households.sqlite3"))
        config.add_cleanup(stack.close)
    return config.stash[_REPLAY]
