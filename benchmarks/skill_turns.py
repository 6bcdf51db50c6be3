"""What the skill itself costs: a cold start, and a turn, against a skill written the SDK samples' way.

Both are measured in the same run on the same machine, so the ratios hold even when the absolute times move:

- cold start: a fresh interpreter, from nothing to a built skill ready to answer: this project's Lambda entry
  point (with the embedded store, and configured for a DynamoDB table, which brings boto3 in), against the
  samples' minimal skill (two handlers, the SDK's `DynamoDbAdapter`, `CustomSkillBuilder.lambda_handler()`);
- a turn: the median time to answer one request of a scripted exercise session through
  `lambda_function.lambda_handler` (deserialise, the household from the session, the engine, render, write the
  changed record to SQLite, serialise), against the sample skill answering a launch that only speaks (the SDK's
  floor, with the samples' rebuild of the skill on every request, and no persistence).

    python benchmarks/skill_turns.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAMBDA = ROOT / "lambda"
RUNS = 7
TURNS = 600

SAMPLE_SKILL = '''
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type, is_intent_name
from ask_sdk_dynamodb.adapter import DynamoDbAdapter

sb = CustomSkillBuilder(persistence_adapter=DynamoDbAdapter(table_name="bench"))

@sb.request_handler(can_handle_func=is_request_type("LaunchRequest"))
def launch(handler_input):
    return handler_input.response_builder.speak("Welcome.").ask("What now?").response

@sb.request_handler(can_handle_func=is_intent_name("AMAZON.HelpIntent"))
def help_(handler_input):
    return handler_input.response_builder.speak("Help.").ask("What now?").response

lambda_handler = sb.lambda_handler()
'''

COLD_OURS = "import time; started = time.perf_counter(); import lambda_function; print(time.perf_counter() - started)"
COLD_SAMPLE = ("import sys, time; started = time.perf_counter(); exec(compile(sys.argv[1], 'sample', 'exec')); "
               "print(time.perf_counter() - started)")
AWS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-1",
       "AWS_EC2_METADATA_DISABLED": "true"}


def launch_event() -> dict[str, Any]:
    sys.path.insert(0, str(LAMBDA))
    from closer.devtools.alexa import LocalAlexa

    captured: list[dict[str, Any]] = []

    def capture(event: dict[str, Any]) -> dict[str, Any]:
        captured.append(event)
        return {"version": "1.0", "response": {"shouldEndSession": True}}

    LocalAlexa(capture, api_endpoint="http://127.0.0.1:9").launch()
    return captured[0]


def cold_start(script: str, env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", script, SAMPLE_SKILL], cwd=LAMBDA, env=env,
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def our_turns() -> list[float]:
    import lambda_function
    from closer.devtools.alexa import LocalAlexa
    from closer.devtools.alexa_api_standin import running
    from closer.devtools.model import InteractionModel
    from closer.devtools.resolver import Resolver

    resolver = Resolver(InteractionModel.load())
    spent: list[float] = []

    def timed(event: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        response: dict[str, Any] = lambda_function.lambda_handler(event, None)
        spent.append(time.perf_counter() - started)
        return response

    with running() as api:
        household = 0
        while len(spent) < TURNS:
            household += 1
            alexa = LocalAlexa(timed, resolver, user_id=f"amzn1.ask.account.BENCH-{household}", api_endpoint=api.url)
            alexa.say("ask closer together to start active listening")
            for _ in range(11):
                reprompt = json.dumps((alexa.last_response or {}).get("response", {}).get("reprompt", ""))
                alexa.say("yes" if "yes or no" in reprompt.lower() else "next")
    return spent


def sample_turns(event: dict[str, Any]) -> list[float]:
    namespace: dict[str, Any] = {}
    exec(compile(SAMPLE_SKILL.replace("persistence_adapter=DynamoDbAdapter(table_name=\"bench\")", ""), "sample",
                 "exec"), namespace)
    handler = namespace["lambda_handler"]
    spent = []
    for _ in range(TURNS):
        started = time.perf_counter()
        handler(event, None)
        spent.append(time.perf_counter() - started)
    return spent


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="closer-bench-")
    os.environ["CLOSER_DB"] = str(Path(workdir) / "households.sqlite3")
    os.environ.update(AWS)  # the sample's adapter makes a boto3 resource when it is imported
    env = {**os.environ, "PYTHONPATH": str(LAMBDA)}
    embedded = cold_start(COLD_OURS, env)
    with_table = cold_start(COLD_OURS, {**env, "CLOSER_TABLE": "bench"})
    sample = cold_start(COLD_SAMPLE, env)
    ours_turn = statistics.median(our_turns()[1:])
    sample_turn = statistics.median(sample_turns(launch_event()))
    print(f"cold start: a fresh interpreter to a built skill (median of {RUNS})")
    print(f"  SDK sample (DynamoDbAdapter)     {sample * 1000:7.1f} ms")
    print(f"  closer, DynamoDB table set       {with_table * 1000:7.1f} ms   ratio {with_table / sample:.2f}")
    print(f"  closer, embedded SQLite          {embedded * 1000:7.1f} ms   ratio {embedded / sample:.2f}")
    print(f"one turn (median of {TURNS})")
    print(f"  SDK sample, a launch that speaks {sample_turn * 1000:7.2f} ms")
    print(f"  closer, an exercise turn         {ours_turn * 1000:7.2f} ms   ratio {ours_turn / sample_turn:.2f}"
          "   (engine, render and a SQLite write included)")


if __name__ == "__main__":
    main()
