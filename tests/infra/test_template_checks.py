"""The templates pass AWS's linter and checkov, keep the ASK CLI's contract, and agree with the code they deploy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from closer.config import DEFAULT_TTL_DAYS
from closer.devtools.bundle import DEFAULT_ARCHITECTURE, DEFAULT_RUNTIME
from closer.store import dynamodb

from .infra_support import HANDLER, ROOT, TEMPLATE, load_template, templates

TEMPLATE_DATA = load_template()
RESOURCES: dict[str, Any] = TEMPLATE_DATA["Resources"]
PARAMETERS: dict[str, Any] = TEMPLATE_DATA["Parameters"]
ASK_RESOURCES = json.loads((ROOT / "ask-resources.json").read_text())
# What the ASK CLI's cfn-deployer passes to every stack it deploys, and the output it reads back.
CFN_DEPLOYER_PARAMETERS = {"SkillId", "LambdaRuntime", "LambdaHandler", "CodeBucket", "CodeKey", "CodeVersion"}
CHECKOV = Path(os.environ.get("CLOSER_CHECKOV") or ROOT / ".cache" / "checkov" / "bin" / "checkov")


def of_type(kind: str) -> dict[str, Any]:
    (resource,) = (r for r in RESOURCES.values() if r["Type"] == kind)
    properties: dict[str, Any] = resource["Properties"]
    return properties


@pytest.mark.parametrize("template", templates(), ids=lambda p: p.name)
def test_cfn_lint_finds_no_error_and_no_warning(template: Path) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")  # the dev extra installs it beside this interpreter
    done = subprocess.run([str(cfn_lint), "--format", "parseable", str(template)],
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_checkov_passes_and_every_skipped_check_is_justified_in_the_template() -> None:
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: `make test` installs it there", pytrace=False)
    done = subprocess.run([str(CHECKOV), "--directory", str(ROOT / "infra"), "--framework", "cloudformation",
                           "--skip-download", "--output", "json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    summary, results = report["summary"], report["results"]
    assert summary["failed"] == 0 and summary["parsing_errors"] == 0
    assert summary["passed"] >= 10  # it did look at the resources
    assert summary["resource_count"] == sum(len(load_template(t)["Resources"]) for t in templates())
    declared = {(name, skip["id"]) for t in templates() for name, r in load_template(t)["Resources"].items()
                for skip in (r.get("Metadata") or {}).get("checkov", {}).get("skip", [])}
    skipped = {(c["resource"].split(".")[-1], c["check_id"]) for c in results["skipped_checks"]}
    assert skipped == declared, "a skip that no longer applies, or a check skipped without a reason in the template"
    for t in templates():
        for r in load_template(t)["Resources"].values():
            for skip in (r.get("Metadata") or {}).get("checkov", {}).get("skip", []):
                assert len(skip.get("comment", "").split()) >= 12, f"{skip['id']} needs its reason spelled out"


def test_the_ask_cli_can_deploy_it_with_the_six_parameters_it_passes() -> None:
    assert set(PARAMETERS) >= CFN_DEPLOYER_PARAMETERS
    for name in set(PARAMETERS) - CFN_DEPLOYER_PARAMETERS:
        assert "Default" in PARAMETERS[name], f"the ASK CLI does not pass {name}: it needs a default"
    assert TEMPLATE_DATA["Outputs"]["SkillEndpoint"]["Value"] == {"Fn::GetAtt": ["SkillFunction", "Arn"]}
    # The cfn-deployer grants CAPABILITY_IAM only: a named IAM resource would need CAPABILITY_NAMED_IAM.
    for resource in RESOURCES.values():
        if resource["Type"].startswith("AWS::IAM::"):
            assert not {"RoleName", "ManagedPolicyName", "UserName", "GroupName"} & set(resource["Properties"])


def test_ask_resources_point_at_this_template_and_the_runtime_the_bundle_is_built_for() -> None:
    assert ASK_RESOURCES["askcliResourcesVersion"] == "2020-03-31"
    profile = ASK_RESOURCES["profiles"]["default"]
    assert (ROOT / profile["skillMetadata"]["src"] / "skill.json").exists()
    code = ROOT / profile["code"]["default"]["src"]
    assert (code / "requirements.txt").exists() and (code / "lambda_function.py").exists()
    infrastructure = profile["skillInfrastructure"]
    assert infrastructure["type"] == "@ask-cli/cfn-deployer"
    config = infrastructure["userConfig"]
    assert (ROOT / config["templatePath"]).resolve() == TEMPLATE
    assert config["runtime"] == PARAMETERS["LambdaRuntime"]["Default"] == DEFAULT_RUNTIME
    assert config["runtime"] in PARAMETERS["LambdaRuntime"]["AllowedValues"]
    assert PARAMETERS["LambdaArchitecture"]["Default"] == DEFAULT_ARCHITECTURE
    module, function = config["handler"].split(".")
    assert config["handler"] == PARAMETERS["LambdaHandler"]["Default"] == HANDLER
    assert f"def {function}(" in (code / f"{module}.py").read_text()
    assert config["awsRegion"]


def test_the_table_is_the_one_the_store_expects_and_outlives_the_stack() -> None:
    table = next(r for r in RESOURCES.values() if r["Type"] == "AWS::DynamoDB::Table")
    expected = dynamodb.table_definition("households")
    properties = table["Properties"]
    assert properties["KeySchema"] == expected["KeySchema"]
    assert properties["AttributeDefinitions"] == expected["AttributeDefinitions"]
    assert properties["BillingMode"] == expected["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["TimeToLiveSpecification"] == {"AttributeName": dynamodb.TTL_ATTRIBUTE, "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert PARAMETERS["TtlDays"]["Default"] == DEFAULT_TTL_DAYS


def test_the_function_reads_the_table_skill_id_and_ttl_the_stack_gives_it() -> None:
    function = of_type("AWS::Lambda::Function")
    assert function["Environment"]["Variables"] == {
        "CLOSER_TABLE": {"Ref": "HouseholdTable"}, "CLOSER_SKILL_ID": {"Ref": "SkillId"},
        "CLOSER_TTL_DAYS": {"Ref": "TtlDays"}}
    config_doc = (ROOT / "lambda" / "closer" / "config.py").read_text()
    assert all(name in config_doc for name in function["Environment"]["Variables"])
    assert function["Architectures"] == [{"Ref": "LambdaArchitecture"}]
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "SkillLogGroup"}
    # Past about 8 s Alexa has stopped listening; within it, a turn whose store calls all time out still answers.
    store_worst_case = dynamodb.MAX_ATTEMPTS * (dynamodb.CONNECT_TIMEOUT + dynamodb.READ_TIMEOUT)
    assert store_worst_case < function["Timeout"] <= 8


def test_only_alexa_and_only_for_this_skill_may_invoke_the_function() -> None:
    permissions = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permissions == [{"Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["SkillFunction", "Arn"]},
                            "Principal": "alexa-appkit.amazon.com", "EventSourceToken": {"Ref": "SkillId"}}]


def test_logs_are_kept_for_a_bounded_time() -> None:
    assert of_type("AWS::Logs::LogGroup")["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert max(PARAMETERS["LogRetentionDays"]["AllowedValues"]) <= 365
