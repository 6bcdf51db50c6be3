"""The real template, created in moto's CloudFormation, makes what the skill needs and allows nothing more.

The skill is configured exactly as Lambda would configure it: from the environment the stack gave the function. A
couple then talks to it, and the household must land in the table the stack made. Every AWS call of that
conversation is recorded through botocore's own event hooks, and the function's role is checked against the
recording both ways: every call is allowed, and every DynamoDB action allowed was needed.
"""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import boto3
import botocore.handlers
import pytest

from closer.config import Settings
from closer.devtools.alexa import LocalAlexa
from closer.devtools.alexa_api_standin import running
from closer.devtools.model import InteractionModel
from closer.devtools.resolver import Resolver
from closer.skill import build_skill
from closer.store import dynamodb

from .infra_support import HANDLER, REGION, SKILL_ID, Stack, create_stack, load_template, tiny_zip

RESOLVER = Resolver(InteractionModel.load())
HOUSEHOLD = "amzn1.ask.account.STACK-TEST-HOUSEHOLD"


@dataclass(frozen=True)
class Call:
    action: str  # as IAM names it, e.g. dynamodb:GetItem
    resource: str  # the ARN the call acts on, "*" when it names none


@contextmanager
def recording_aws_calls(region: str, account: str) -> Iterator[list[Call]]:
    """Every AWS API call made by clients created meanwhile, from botocore's before-parameter-build event."""
    calls: list[Call] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        table = params.get("TableName")
        resource = f"arn:aws:dynamodb:{region}:{account}:table/{table}" if table else "*"
        calls.append(Call(f"{model.service_model.signing_name}:{model.name}", resource))

    with pytest.MonkeyPatch.context() as patch:  # every botocore session made from now on registers `record`
        patch.setattr(botocore.handlers, "BUILTIN_HANDLERS",
                      [*botocore.handlers.BUILTIN_HANDLERS, ("before-parameter-build", record)])
        yield calls


def talk(stack: Stack) -> None:
    """A couple's first evening, a second visit, and "delete our data" (which the couple then takes back)."""
    skill = build_skill(Settings.from_env(stack.lambda_environment()))
    with running(time_zone="Europe/London") as standin:
        alexa = LocalAlexa(skill.handle, RESOLVER, user_id=HOUSEHOLD, skill_id=SKILL_ID, api_endpoint=standin.url)

        def say(text: str) -> str:
            response = alexa.say(text)
            assert response is not None, f"{text!r} did not reach the skill"
            return json.dumps(response)

        assert "first names" in say("open closer together")
        assert "Sam and Alex" in say("we're sam and alex")
        say("stop")
        assert "Sam" in say("open closer together")  # the household came back from the table
        assert "can't be undone" in say("delete our data")
        assert "deleted your names" in say("yes")


def household_item(stack: Stack) -> dict[str, Any] | None:
    item: dict[str, Any] | None = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=stack.table, Key={dynamodb.KEY: {"S": HOUSEHOLD}}, ConsistentRead=True).get("Item")
    return item


def apply_time_to_live(stack: Stack) -> None:
    """What CloudFormation does with the table's TimeToLiveSpecification, which moto's CloudFormation skips."""
    spec = load_template()["Resources"]["HouseholdTable"]["Properties"]["TimeToLiveSpecification"]
    boto3.client("dynamodb", region_name=REGION).update_time_to_live(TableName=stack.table,
                                                                    TimeToLiveSpecification=dict(spec))


def role_policies(stack: Stack) -> tuple[list[dict[str, Any]], list[Any]]:
    """The function's role as the stack made it: its inline statements and its attached managed policies."""
    iam = boto3.client("iam")
    role = stack.function["Role"].rsplit("/", 1)[-1]
    statements: list[dict[str, Any]] = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):  # moto's CloudFormation stores the document as a Python literal
            document = ast.literal_eval(document)
        statements += document["Statement"]
    return statements, iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allows(statements: list[dict[str, Any]], call: Call) -> bool:
    return any(s["Effect"] == "Allow"
               and any(fnmatchcase(call.action.lower(), a.lower()) for a in as_list(s["Action"]))
               and any(fnmatchcase(call.resource, r) for r in as_list(s["Resource"])) for s in statements)


def test_the_stack_makes_the_table_the_store_expects(ask_stack: Stack) -> None:
    table = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=ask_stack.table)["Table"]
    expected = dynamodb.table_definition(ask_stack.table)
    assert table["KeySchema"] == expected["KeySchema"]
    assert table["AttributeDefinitions"] == expected["AttributeDefinitions"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True
    assert ask_stack.outputs["SkillEndpoint"] == ask_stack.function["FunctionArn"]
    assert (ask_stack.function["Runtime"], ask_stack.function["Handler"]) == ("python3.13", HANDLER)
    policy = json.loads(boto3.client("lambda", region_name=REGION).get_policy(
        FunctionName=ask_stack.outputs["FunctionName"])["Policy"])
    assert [(s["Principal"], s["Action"]) for s in policy["Statement"]] == [
        ("alexa-appkit.amazon.com", "lambda:InvokeFunction")]


def test_a_conversation_lands_in_the_table_the_stack_created(ask_stack: Stack) -> None:
    apply_time_to_live(ask_stack)
    skill = build_skill(Settings.from_env(ask_stack.lambda_environment()))
    before = time.time()
    with running(time_zone="Europe/London") as standin:
        alexa = LocalAlexa(skill.handle, RESOLVER, user_id=HOUSEHOLD, skill_id=SKILL_ID, api_endpoint=standin.url)
        alexa.say("open closer together")
        alexa.say("we're sam and alex")
        alexa.say("start appreciation")
        alexa.say("stop")
    after = time.time()
    item = household_item(ask_stack)
    assert item is not None
    household = dynamodb.decode(item)
    assert household.names == ("Sam", "Alex") and household.time_zone == "Europe/London"
    assert household.progress is not None and household.progress.exercise == "appreciation"
    ttl = ask_stack.lambda_environment()["CLOSER_TTL_DAYS"]
    assert int(ttl) == load_template()["Parameters"]["TtlDays"]["Default"]
    assert int(before) + int(ttl) * 86_400 <= int(item[dynamodb.TTL_ATTRIBUTE]["N"]) <= after + int(ttl) * 86_400
    described = boto3.client("dynamodb", region_name=REGION).describe_time_to_live(TableName=ask_stack.table)
    assert described["TimeToLiveDescription"]["AttributeName"] == dynamodb.TTL_ATTRIBUTE


def test_the_function_role_allows_exactly_the_calls_the_skill_makes(ask_stack: Stack) -> None:
    account = ask_stack.function["FunctionArn"].split(":")[4]
    with recording_aws_calls(REGION, account) as calls:
        talk(ask_stack)
    assert household_item(ask_stack) is None  # "delete our data" really deleted
    statements, attached = role_policies(ask_stack)
    assert attached == []  # no managed policy: AWSLambdaBasicExecutionRole alone would allow logs anywhere
    assert {c.action for c in calls} == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}
    for call in calls:
        assert allows(statements, call), f"the role does not allow {call}"
    granted = {a for s in statements for a in as_list(s["Action"]) if a.startswith("dynamodb:")}
    assert granted == {c.action for c in calls}, "the role allows DynamoDB actions the skill never calls"
    assert all(r == calls[0].resource for s in statements if "dynamodb:GetItem" in s["Action"]
               for r in as_list(s["Resource"]))
    # The rest is the Lambda runtime writing the function's logs, into its own log group only.
    others = [s for s in statements if not all(a.startswith("dynamodb:") for a in as_list(s["Action"]))]
    log_group = f"arn:aws:logs:{REGION}:{account}:log-group:{ask_stack.outputs['LogGroupName']}"
    assert [sorted(as_list(s["Action"])) for s in others] == [["logs:CreateLogStream", "logs:PutLogEvents"]]
    assert all(r in (log_group, f"{log_group}:*") for s in others for r in as_list(s["Resource"]))
    assert all(set(s) <= {"Sid", "Effect", "Action", "Resource"} for s in statements)  # no NotAction, no wildcard


def test_without_the_ask_cli_a_plain_deploy_needs_no_object_version(aws: None) -> None:
    stack = create_stack("closer-together", tiny_zip(), versioned=False, TableName="closer-together-households")
    assert "CodeVersion" not in stack.parameters
    assert stack.table == "closer-together-households"
    assert stack.lambda_environment()["CLOSER_TABLE"] == "closer-together-households"
