#!/usr/bin/env bash
# The ASK CLI's build hook: `ask deploy` runs `hooks/build.sh OUTPUT_ZIP DEBUG` (from a copy of lambda/) instead
# of its own Python build, which would `pip install -r requirements.txt` for the machine it runs on (wheels for
# the wrong CPU and operating system), ship the development tools, and leave every cold start to compile the code.
# `closer bundle` builds for the stack's runtime and architecture instead (see lambda/closer/devtools/bundle.py).
#
# It needs Python 3.11 or later with pip, and an interpreter of the runtime's Python version for the bytecode
# (python3.13 on PATH, pyenv's, or CLOSER_BUNDLE_ARGS="--python /path/to/python3.13").
set -euo pipefail

output=${1:?usage: hooks/build.sh OUTPUT_ZIP [DEBUG]}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -n ${CLOSER_PYTHON:-} ]]; then
    python=$CLOSER_PYTHON
elif [[ -x $root/.venv/bin/python ]]; then
    python=$root/.venv/bin/python  # the project's own venv (`make`), when there is one
else
    python=python3
fi
# shellcheck disable=SC2086  # CLOSER_BUNDLE_ARGS is a list of options, split on purpose
PYTHONPATH="$root/lambda" exec "$python" -m closer.devtools.bundle --output "$output" ${CLOSER_BUNDLE_ARGS:-}
