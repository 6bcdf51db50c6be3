"""`closer bundle`: the Lambda deployment zip, built for the function's runtime and architecture.

What goes in:
- the pinned runtime dependencies of `lambda/requirements.txt`, as wheels for the target (manylinux, the runtime's
  Python version and CPU), never for the machine that builds: pip's `--platform`, `--python-version` and
  `--only-binary=:all:`;
- `lambda_function.py` and the `closer` package, less the development tools and the self-hosting web service
  (which need packages the bundle does not carry), and less any cache;
- bytecode for the runtime's Python version, made by an interpreter of that version. Lambda's code folder is read
  only, so a bundle without bytecode compiles every module it imports on each cold start: measured, that is about
  four times the CPU of loading bytecode (docs/deploy.md, "Cold starts"). The bytecode is hash-based (PEP 552,
  unchecked), so it holds no timestamps, and records `/var/task` paths, where Lambda unpacks the code.

boto3 and botocore ship in the bundle although the runtime has its own: pinned, they are the versions the tests ran
against, not whatever the runtime carries that month. The zip is deterministic (sorted entries, fixed timestamps
and permissions), so the same sources give the same bytes and the same hash: an unchanged bundle is not a new
deployment.

The standard library only (and pip), so that `hooks/build.sh` can run it with any Python 3.11+.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

LAMBDA_DIR = Path(__file__).resolve().parents[2]  # the ASK CLI "code" folder
PROJECT_DIR = LAMBDA_DIR.parent
DEFAULT_RUNTIME = "python3.13"  # infra/skill-stack.yaml and ask-resources.json name the same (a test checks)
DEFAULT_ARCHITECTURE = "arm64"
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
TASK_ROOT = "/var/task"  # where Lambda unpacks the code: the paths tracebacks show
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold
MAX_UNPACKED = 262_144_000  # Lambda's limit for the unzipped code, in bytes
# From lambda/, only the entry point and the `closer` package ship, less these (development and self-hosting).
ENTRY_POINT = "lambda_function.py"
LEFT_OUT = frozenset({"closer/devtools", "closer/web.py", "closer/verify.py"})
CACHES = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


class BundleError(Exception):
    """The bundle cannot be built as asked; the message says what to do."""


@dataclass(frozen=True)
class Target:
    runtime: str = DEFAULT_RUNTIME
    architecture: str = DEFAULT_ARCHITECTURE

    def __post_init__(self) -> None:
        if not self.runtime.startswith("python3.") or not self.runtime.removeprefix("python3.").isdigit():
            raise BundleError(f"not a Lambda Python runtime: {self.runtime!r} (e.g. {DEFAULT_RUNTIME})")
        if self.architecture not in PLATFORMS:
            raise BundleError(f"architecture must be one of {', '.join(PLATFORMS)}, not {self.architecture!r}")

    @property
    def python_version(self) -> str:
        return self.runtime.removeprefix("python")

    @property
    def platform(self) -> str:
        return PLATFORMS[self.architecture]


@dataclass(frozen=True)
class Bundle:
    path: Path
    target: Target
    size: int  # bytes, zipped
    unpacked: int  # bytes
    files: int
    sha256: str
    bytecode: bool

    def summary(self) -> str:
        compiled = "with bytecode" if self.bytecode else "WITHOUT bytecode"
        return (f"{self.path}: {self.size:,} bytes ({self.size / 1e6:.1f} MB zipped, {self.unpacked / 1e6:.1f} MB "
                f"unpacked, {self.files:,} files), {self.target.runtime} {self.target.architecture}, {compiled}, "
                f"sha256 {self.sha256}")


def build(output: Path, target: Target = Target(), *, python: str | None = None, bytecode: bool = True,
          source: Path = LAMBDA_DIR, say: Callable[[str], None] = print) -> Bundle:
    """Build the bundle at `output` (replaced only once the new one is complete)."""
    compiler = _compiler(target, python) if bytecode else None
    with tempfile.TemporaryDirectory(prefix="closer-bundle-") as work:
        staging = Path(work) / "bundle"
        say(f"wheels for {target.runtime} on {target.architecture} ({target.platform}) from "
            f"{_shown(source / 'requirements.txt')}")
        install_requirements(source / "requirements.txt", staging, target)
        copy_skill(source, staging)
        if compiler:
            say(f"bytecode by {compiler}")
            compile_bytecode(staging, compiler)
        unpacked, files = _tally(staging)
        if unpacked > MAX_UNPACKED:
            raise BundleError(f"{unpacked:,} bytes unpacked: over Lambda's limit of {MAX_UNPACKED:,}")
        output.parent.mkdir(parents=True, exist_ok=True)
        write_zip(staging, output)
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    return Bundle(output, target, output.stat().st_size, unpacked, files, digest, compiler is not None)


def install_requirements(requirements: Path, staging: Path, target: Target) -> None:
    """The pinned dependencies as the target's wheels; pip's cache serves repeated builds."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
               "--no-compile", "--only-binary=:all:", "--implementation", "cp",
               "--python-version", target.python_version, "--platform", target.platform,
               "--target", str(staging), "--requirement", str(requirements)]
    if subprocess.run(command, check=False).returncode != 0:
        raise BundleError(f"pip could not install {requirements} for {target.runtime} on {target.architecture}")
    shutil.rmtree(staging / "bin", ignore_errors=True)  # the dependencies' console scripts: never run on Lambda


def copy_skill(source: Path, staging: Path) -> None:
    """The entry point and the `closer` package, less what only serves development or self-hosting."""
    if (staging / "closer").exists() or (staging / ENTRY_POINT).exists():
        raise BundleError("a dependency installs a `closer` package or a lambda_function module: they would clash")
    shutil.copy2(source / ENTRY_POINT, staging / ENTRY_POINT)

    def ignored(folder: str, names: list[str]) -> set[str]:
        where = Path(folder).relative_to(source)
        return {name for name in names
                if name in CACHES or name.endswith((".pyc", ".pyo")) or (where / name).as_posix() in LEFT_OUT}

    shutil.copytree(source / "closer", staging / "closer", ignore=ignored)


def compile_bytecode(staging: Path, python: str) -> None:
    """Hash-based bytecode for every module, recorded under Lambda's task root."""
    command = [python, "-W", "ignore", "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
               "-s", str(staging), "-p", TASK_ROOT, str(staging)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BundleError(f"{python} could not compile the bundle:\n{done.stdout}{done.stderr}")


def write_zip(root: Path, output: Path) -> None:
    """Every file under `root`, in path order, with fixed dates and plain permissions: same files, same bytes."""
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted((p.relative_to(root).as_posix(), p) for p in _files(root)):
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, so that the permissions below are honoured when unpacked
            mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            entry.external_attr = (0o100000 | mode) << 16
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    partial.replace(output)


def find_interpreter(version: str) -> str | None:
    """A working CPython `version` (such as "3.13"): `pythonX.Y` on PATH, this interpreter, or one of pyenv's."""
    candidates = [shutil.which(f"python{version}"), sys.executable]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates += [str(p) for p in sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True)]
    return next((c for c in candidates if c and interpreter_version(c) == version), None)


def interpreter_version(python: str) -> str | None:
    """The X.Y version `python` runs, or None when it does not run (a pyenv shim for a version not selected)."""
    try:
        done = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _compiler(target: Target, python: str | None) -> str:
    if python:
        found = interpreter_version(python)
        if found != target.python_version:
            raise BundleError(f"{python} runs Python {found or '(it did not run)'}, not {target.python_version} "
                              f"as {target.runtime} needs")
        return python
    found_python = find_interpreter(target.python_version)
    if found_python is None:
        raise BundleError(
            f"no Python {target.python_version} here to compile the bundle's bytecode for {target.runtime}. "
            f"Install it (or pass --python PATH), or build for a runtime whose Python you have (--runtime, and the "
            f"stack's LambdaRuntime to match), or pass --no-bytecode and accept slower cold starts.")
    return found_python


def _files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def _tally(root: Path) -> tuple[int, int]:
    sizes = [p.stat().st_size for p in _files(root)]
    return sum(sizes), len(sizes)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runtime", default=DEFAULT_RUNTIME,
                        help=f"the Lambda runtime, as the stack's LambdaRuntime (default: {DEFAULT_RUNTIME})")
    parser.add_argument("--architecture", default=DEFAULT_ARCHITECTURE, choices=sorted(PLATFORMS),
                        help=f"as the stack's LambdaArchitecture (default: {DEFAULT_ARCHITECTURE})")
    parser.add_argument("--output", type=Path,
                        help="the zip to write (default: dist/closer-together-RUNTIME-ARCHITECTURE.zip)")
    parser.add_argument("--python", help="the interpreter of the runtime's Python version that compiles the "
                                         "bytecode (default: pythonX.Y on PATH, else pyenv's)")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="ship sources only (every cold start then compiles them)")


def main_bundle(args: argparse.Namespace) -> int:
    try:
        target = Target(args.runtime, args.architecture)
        output = args.output or PROJECT_DIR / "dist" / f"closer-together-{target.runtime}-{target.architecture}.zip"
        bundle = build(output, target, python=args.python, bytecode=not args.no_bytecode,
                       say=lambda line: print(line, file=sys.stderr))
    except BundleError as err:
        print(f"closer bundle: {err}", file=sys.stderr)
        return 1
    print(bundle.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m closer.devtools.bundle`: the same as `closer bundle`, for hooks/build.sh (no install needed)."""
    parser = argparse.ArgumentParser(prog="closer bundle", description="Build the Lambda zip for the stack.")
    add_arguments(parser)
    return main_bundle(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
