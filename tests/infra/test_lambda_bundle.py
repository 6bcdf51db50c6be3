"""`closer bundle` builds what Lambda runs: for its CPU and Python, with bytecode, deterministic, and it works bare.

The bare run is the proof: the unpacked zip, on an interpreter of the runtime's version started with no site
packages at all (`python -I -S`), answers a launch request and saves the household in DynamoDB (moto's server, over
HTTP). boto3 comes from the bundle itself, as it will on Lambda: nothing of this machine's packages is visible.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from closer.devtools import bundle as bundling
from closer.devtools.alexa import LocalAlexa
from closer.devtools.alexa_api_standin import running
from closer.devtools.model import InteractionModel
from closer.devtools.resolver import Resolver
from closer.store.dynamodb import KEY, TTL_ATTRIBUTE, table_definition

from .infra_support import REGION, ROOT, SKILL_ID, SUMMARY, BuiltBundle

TARGET = bundling.Target()
ELF_MACHINES = {"arm64": 183, "x86_64": 62}  # e_machine: EM_AARCH64, EM_X86_64
HOUSEHOLD = "amzn1.ask.account.BARE-BUNDLE-HOUSEHOLD"
# Runs in the bare interpreter: counts the modules it has to compile from source (none, with valid bytecode),
# hands one event to the entry point, imports every module of the shipped package, and reports what it saw.
BARE_RUN = """
import importlib.machinery, json, sys
task = sys.argv[1]
compiled = []
source_to_code = importlib.machinery.SourceFileLoader.source_to_code
def counted(self, data, path, *args, **kwargs):
    compiled.append(path)
    return source_to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = counted
sys.path.insert(0, task)
import lambda_function
response = lambda_function.lambda_handler(json.load(sys.stdin), None)
import closer, importlib, pkgutil
unimportable = []
for module in pkgutil.walk_packages(closer.__path__, "closer."):
    try:
        importlib.import_module(module.name)
    except Exception as err:
        unimportable.append(f"{module.name}: {err!r}")
print(json.dumps({
    "response": response,
    "compiled": [p for p in compiled if p.startswith(task)],
    "unimportable": unimportable,
    "site": "site" in sys.modules,
    "path": sys.path,
    "origins": {m: sys.modules[m].__file__ for m in ("boto3", "botocore", "ask_sdk_core", "closer", "lambda_function")},
}))
"""


def pinned_requirements() -> dict[str, str]:
    lines = (ROOT / "lambda" / "requirements.txt").read_text().splitlines()
    return dict(line.split("==") for line in lines if line.strip() and not line.startswith("#"))


def test_the_bundle_prints_its_size_and_the_deploy_guide_records_it(bundle: BuiltBundle) -> None:
    printed = SUMMARY.search(bundle.printed)
    assert printed, bundle.printed
    assert Path(printed["path"]) == bundle.path
    assert int(printed["bytes"].replace(",", "")) == bundle.path.stat().st_size
    recorded = re.search(r"The bundle is ([\d.]+) MB zipped", (ROOT / "docs" / "deploy.md").read_text())
    assert recorded, "docs/deploy.md records the bundle's size"
    assert abs(float(recorded[1]) - float(printed["mb"])) <= 0.15 * float(printed["mb"]), "update docs/deploy.md"


def test_the_bundle_holds_the_skill_and_its_pinned_dependencies_and_nothing_else(bundle: BuiltBundle) -> None:
    with zipfile.ZipFile(bundle.path) as archive:
        entries = archive.infolist()
    names = [e.filename for e in entries]
    assert names == sorted(names) and all(e.date_time == bundling.ZIP_DATE for e in entries)  # deterministic
    assert {"lambda_function.py", "closer/skill.py", "closer/content/strings.toml"} <= set(names)
    for left_out in ("closer/devtools/", "closer/web.py", "closer/verify.py", "bin/", "tests/"):
        assert not [n for n in names if n.startswith(left_out)], left_out
    assert not [n for n in names if ".egg-info/" in n or n.endswith((".pyo", ".partial"))]
    tag = f"cpython-{TARGET.python_version.replace('.', '')}"
    for name in (n for n in names if n.endswith(".pyc")):
        folder, cache, file = name.rpartition("__pycache__/")
        assert cache and file.endswith(f".{tag}.pyc"), f"bytecode for another Python: {name}"
        assert f"{folder}{file.split('.')[0]}.py" in names, f"bytecode without its source: {name}"
    assert f"closer/__pycache__/skill.{tag}.pyc" in names
    for project, version in pinned_requirements().items():
        dist = re.sub(r"[-_.]+", "_", project).lower()
        assert f"{dist}-{version}.dist-info/metadata" in {n.lower() for n in names}, f"{project}=={version}"


def test_native_code_in_the_bundle_is_built_for_the_lambda_cpu_and_python(bundle: BuiltBundle) -> None:
    with zipfile.ZipFile(bundle.path) as archive:
        libraries = {n: archive.read(n)[:20] for n in archive.namelist() if n.endswith(".so")}
    assert libraries, "the bundle's dependencies carry native code (charset_normalizer): none was found"
    for name, header in libraries.items():
        assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == ELF_MACHINES[TARGET.architecture]
        assert f"cpython-{TARGET.python_version.replace('.', '')}" in name or ".abi3." in name, name


@pytest.fixture
def dynamodb_server() -> Iterator[str]:
    """moto's DynamoDB over HTTP on loopback, for a process that cannot use moto in-process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_a_bare_python_runs_the_unpacked_bundle_and_answers_a_launch_request(
        bundle: BuiltBundle, target_python: str, dynamodb_server: str, tmp_path: Path) -> None:
    task = tmp_path / "task"  # what Lambda calls /var/task
    with zipfile.ZipFile(bundle.path) as archive:
        archive.extractall(task)
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=dynamodb_server)
    client.create_table(**table_definition("households"))
    client.update_time_to_live(TableName="households",
                               TimeToLiveSpecification={"AttributeName": TTL_ATTRIBUTE, "Enabled": True})
    env = {"CLOSER_TABLE": "households", "CLOSER_DYNAMODB_ENDPOINT": dynamodb_server, "CLOSER_SKILL_ID": SKILL_ID,
           "AWS_REGION": REGION, "AWS_LAMBDA_FUNCTION_NAME": "closer-together", "LAMBDA_TASK_ROOT": str(task),
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "TZ": "UTC"}
    runs: list[dict[str, Any]] = []

    def bare_lambda(event: dict[str, Any]) -> dict[str, Any]:
        done = subprocess.run([target_python, "-I", "-S", "-B", "-c", BARE_RUN, str(task)], input=json.dumps(event),
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", done.stderr  # not even a SyntaxWarning from compiling a dependency
        runs.append(json.loads(done.stdout))
        response: dict[str, Any] = runs[-1]["response"]
        return response

    with running(time_zone="UTC") as standin:
        alexa = LocalAlexa(bare_lambda, Resolver(InteractionModel.load()), user_id=HOUSEHOLD, skill_id=SKILL_ID,
                           api_endpoint=standin.url)
        launch = alexa.launch()
        assert "Welcome to Closer Together" in launch["response"]["outputSpeech"]["ssml"]
        assert launch["response"]["shouldEndSession"] is False and launch["response"]["reprompt"]
        alexa.say("we're sam and alex")
    first = runs[0]
    assert not first["site"] and not [p for p in first["path"] if "site-packages" in p]
    assert all(origin.startswith(str(task)) for origin in first["origins"].values()), first["origins"]
    assert first["compiled"] == [], "modules the bundle's bytecode should have spared compiling"
    assert first["unimportable"] == [], "every module shipped must import with only what the bundle carries"
    stored = client.get_item(TableName="households", Key={KEY: {"S": HOUSEHOLD}}, ConsistentRead=True)
    assert "Item" in stored and TTL_ATTRIBUTE in stored["Item"]


def test_the_zip_is_the_same_bytes_for_the_same_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "b.py").write_text("B = 2\n")
    (tree / "a.py").write_text("A = 1\n")
    (tree / "run.sh").write_text("#!/bin/sh\n")
    (tree / "run.sh").chmod(0o755)
    bundling.write_zip(tree, tmp_path / "first.zip")
    for path in tree.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))  # touched later: a new checkout, a rebuilt tree
    bundling.write_zip(tree, tmp_path / "second.zip")
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "first.zip") as archive:
        assert archive.namelist() == ["a.py", "pkg/b.py", "run.sh"]
        modes = {e.filename: (e.external_attr >> 16) & 0o777 for e in archive.infolist()}
    assert modes == {"a.py": 0o644, "pkg/b.py": 0o644, "run.sh": 0o755}


def test_bundle_refuses_an_interpreter_of_another_python_before_downloading_anything(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = "python3.12" if sys.version_info[:2] != (3, 12) else "python3.13"
    output = tmp_path / "bundle.zip"
    assert bundling.main(["--runtime", other, "--python", sys.executable, "--output", str(output)]) == 1
    assert f"not {other.removeprefix('python')}" in capsys.readouterr().err
    assert not output.exists()
    assert bundling.main(["--runtime", "nodejs22.x", "--output", str(output)]) == 1
    assert "not a Lambda Python runtime" in capsys.readouterr().err
