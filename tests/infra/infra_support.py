"""What the deployment tests share: the template as data, a stack created in moto, the bundle's printed summary."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import cfn_yaml

from closer.devtools.alexa import LOCAL_SKILL_ID

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
TEMPLATE = INFRA / "skill-stack.yaml"
REGION = "eu-west-1"
SKILL_ID = LOCAL_SKILL_ID  # the id the local Alexa puts on its requests
HANDLER = "lambda_function.lambda_handler"
# The line `closer bundle` prints on standard output.
SUMMARY = re.compile(r"^(?P<path>.+\.zip): (?P<bytes>[\d,]+) bytes \((?P<mb>[\d.]+) MB zipped", re.MULTILINE)


def templates() -> list[Path]:
    """Every CloudFormation template in infra/."""
    return sorted(p for p in INFRA.iterdir() if p.suffix in {".yaml", ".yml", ".json"})


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain data; short-form intrinsics (!Ref, !GetAtt...) become their long form."""
    loaded: dict[str, Any] = cfn_yaml.load(str(path))
    return loaded


@dataclass(frozen=True)
class BuiltBundle:
    path: Path
    printed: str  # what the build printed on standard output


@dataclass(frozen=True)
class Stack:
    """A stack created in moto from the real template, and what it made."""

    outputs: dict[str, str]
    parameters: dict[str, str]
    function: dict[str, Any]  # GetFunctionConfiguration

    @property
    def table(self) -> str:
        return self.outputs["TableName"]

    def lambda_environment(self) -> dict[str, str]:
        """The environment the function would run with: its variables plus what Lambda itself sets."""
        variables = {k: str(v) for k, v in self.function["Environment"]["Variables"].items()}
        return {**variables, "AWS_REGION": REGION, "AWS_LAMBDA_FUNCTION_NAME": self.function["FunctionName"]}


def create_stack(name: str, code: bytes, *, versioned: bool, **parameters: str) -> Stack:
    """Upload `code` to a new bucket and create the stack (inside mock_aws), as the ASK CLI or a person would."""
    s3 = boto3.client("s3", region_name=REGION)
    bucket = f"{name.lower()}-code"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    if versioned:  # the ASK CLI versions its bucket and passes the upload's version as CodeVersion
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key = "endpoint/build.zip"
    uploaded = s3.put_object(Bucket=bucket, Key=key, Body=code)
    given = {"SkillId": SKILL_ID, "CodeBucket": bucket, "CodeKey": key, **parameters}
    if versioned:
        given["CodeVersion"] = uploaded["VersionId"]
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    created = cloudformation.create_stack(
        StackName=name, TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in given.items()])
    (stack,) = cloudformation.describe_stacks(StackName=created["StackId"])["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    function = boto3.client("lambda", region_name=REGION).get_function_configuration(
        FunctionName=outputs["FunctionName"])
    return Stack(outputs, given, function)


def tiny_zip() -> bytes:
    """A stand-in code bundle, for stacks whose code no test runs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambda_function.py", "def lambda_handler(event, context):\n    return {}\n")
    return buffer.getvalue()
