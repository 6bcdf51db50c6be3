"""Every conversation in the dialog scripts of this folder is a test case, run in process.

The scripts are the clearest record of how the skill talks; docs/dialog-scripts.md describes the format, and
`closer replay tests/dialogs` runs the same scripts outside pytest (or against a running endpoint with --url).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from closer.devtools.pytest_plugin import DialogFile, collect_dialogs


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> DialogFile | None:
    return collect_dialogs(parent, file_path)
