"""`make release` for plain CloudFormation: the code zip, the template, and a deployment of both."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest

from app import ProviderStack
from devtools import release
from devtools.deployment import LocalCloud, provider_asset
from devtools.fake_aws import ACCOUNT, REGION
from devtools.iam_policy import evaluate
from devtools.lambda_runtime import ProviderAsset
from devtools.local_cloud import ResponseCollector
from devtools.template import Resolver, Template, load_yaml_template
from event_invoke_config.allow_list import AllowListError, function_arns, parse_function_names
from event_invoke_config.provider import CONFIG_ACTIONS, STACK_READ_ACTIONS
from tests.support import ROOT, which

EXAMPLE = ROOT / "examples" / "async-config.yaml"
# The README's stack name: its default export is the name examples/async-config.yaml imports.
RELEASE_STACK = "LambdaEventInvokeConfig"
ALLOWED = ["async-*", "billing"]
BUCKET = "releases"
FUNCTIONS = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make release` writes."""
    folder = tmp_path_factory.mktemp("dist")
    release.build(folder)
    return folder


@pytest.fixture(scope="module")
def construct_provider(tmp_path_factory: pytest.TempPathFactory) -> tuple[Template, ProviderAsset]:
    """The CDK app's provider stack, synthesized in-process: its template and staged asset."""
    outdir = str(tmp_path_factory.mktemp("cdk.out"))
    app = cdk.App(outdir=outdir, context={"aws:cdk:enable-asset-metadata": True})
    ProviderStack(app, "Provider", function_names=ALLOWED)
    assembly = app.synth()
    template: Template = assembly.get_stack_by_name("Provider").template
    return template, provider_asset(Path(assembly.directory), template)


def release_template() -> Template:
    return load_yaml_template(release.TEMPLATE)


def package(dist: Path, s3_client: Any) -> Template:
    """What `aws cloudformation package` makes of dist/provider.yaml: the zip uploaded, its
    S3 location in place of the path (the key is the zip's MD5, as the CLI names it)."""
    template = load_yaml_template(dist / release.TEMPLATE.name)
    code = template["Resources"]["Function"]["Properties"]
    body = (dist / code["Code"]).read_bytes()
    key = hashlib.md5(body, usedforsecurity=False).hexdigest()
    s3_client.put_object(Bucket=BUCKET, Key=key, Body=body)
    code["Code"] = {"S3Bucket": BUCKET, "S3Key": key}
    return template


def resolve(template: Template, value: Any, **parameters: Any) -> Any:
    """`value` with the template's intrinsic functions done for `parameters`, as the engine."""
    stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{RELEASE_STACK}/1"

    def attribute(logical_id: str, name: str) -> str:
        return f"arn:aws:test:{REGION}:{ACCOUNT}:{logical_id}.{name}"

    resolver = Resolver(RELEASE_STACK, stack_id, template, attribute, {}, parameters=parameters)
    return resolver(value)


def allows(statements: list[dict[str, Any]], action: str, arn: str) -> bool:
    return evaluate([{"Statement": statements}], action, arn).allowed


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_cfn_lint_passes_the_release_template(dist: Path) -> None:
    shipped = dist / release.TEMPLATE.name
    lint = subprocess.run(
        [which("cfn-lint"), str(shipped)], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert shipped.read_bytes() == release.TEMPLATE.read_bytes()
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.slow
def test_the_zip_holds_the_files_the_construct_stages(
    dist: Path, construct_provider: tuple[Template, ProviderAsset]
) -> None:
    _template, asset = construct_provider
    zipped = release.zip_contents(dist / release.ZIP_NAME)

    assert release.content_hash(zipped) == release.content_hash(
        release.folder_contents(asset.code_dir)
    )
    assert "event_invoke_config_provider/index.py" in zipped


def test_make_release_needs_no_node_and_gives_the_same_zip_every_time(
    dist: Path, tmp_path: Path
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JSII")}
    environment["PATH"] = str(tmp_path / "nothing-here")  # no node, no npx, no cdk
    subprocess.run(
        [sys.executable, "-m", "devtools.release", str(tmp_path)],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )

    assert (tmp_path / release.ZIP_NAME).read_bytes() == (dist / release.ZIP_NAME).read_bytes()
    with zipfile.ZipFile(tmp_path / release.ZIP_NAME) as archive:
        assert {entry.external_attr >> 16 for entry in archive.infolist()} == {0o644}


@pytest.mark.parametrize(
    "entry",
    ["orders-*", "billing", "a", "_x?", "-", "A" * 64, "A" * 65, "*", "?*", "*-async", "?",
     "", "orders:live", "orders/*", "or ders", "orders.*", "arn:aws:lambda:*"],
)  # fmt: skip
def test_the_parameter_pattern_refuses_what_the_allow_list_refuses(entry: str) -> None:
    pattern = release_template()["Parameters"]["FunctionNames"]["AllowedPattern"]
    try:
        parse_function_names([entry])
    except AllowListError:
        allowed = False
    else:
        allowed = True

    # CloudFormation matches the pattern against the whole of each entry
    assert (re.fullmatch(pattern, entry) is not None) == allowed


@pytest.mark.slow
def test_the_function_mirrors_the_constructs_provider(
    construct_provider: tuple[Template, ProviderAsset],
) -> None:
    template, _asset = construct_provider

    def of_type(source: Template, resource_type: str) -> dict[str, Any]:
        [body] = [r for r in source["Resources"].values() if r["Type"] == resource_type]
        properties: dict[str, Any] = body["Properties"]
        return properties

    released = release_template()
    same = ("Runtime", "Architectures", "Handler", "MemorySize", "Timeout", "Description")
    function = of_type(released, "AWS::Lambda::Function")
    assert {k: function[k] for k in same} == {
        k: of_type(template, "AWS::Lambda::Function")[k] for k in same
    }
    settings = ("Qualifier", "MaximumRetryAttempts", "MaximumEventAgeInSeconds")
    own_config = of_type(released, "AWS::Lambda::EventInvokeConfig")
    assert {k: own_config[k] for k in settings} == {
        k: of_type(template, "AWS::Lambda::EventInvokeConfig")[k] for k in settings
    }
    retention = released["Parameters"]["LogRetentionInDays"]["Default"]
    assert retention == of_type(template, "AWS::Logs::LogGroup")["RetentionInDays"]


def test_the_role_may_do_what_the_constructs_allow_list_grants_and_nothing_more() -> None:
    # GIVEN the release template deployed with an allow-list
    template = release_template()
    role = template["Resources"]["Role"]["Properties"]
    policies = resolve(template, role["Policies"], FunctionNames=ALLOWED)
    statements = [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]
    # and the construct's ARNs for the same allow-list (allow_list.function_arns)
    stack = cdk.Stack(cdk.App(), "Provider", env=cdk.Environment(account=ACCOUNT, region=REGION))
    arns = [stack.resolve(arn) for arn in function_arns(stack, ALLOWED)]
    granted = [{"Statement": {"Effect": "Allow", "Action": "*", "Resource": arns}}]
    granted = resolve(template, granted, FunctionNames=ALLOWED)
    # THEN no wildcard action, and no resource `*`
    allowed = [s for s in statements if s["Effect"] == "Allow"]
    actions = {action for s in allowed for action in as_list(s["Action"])}
    assert actions == {"logs:CreateLogStream", "logs:PutLogEvents"} | set(STACK_READ_ACTIONS) | set(
        CONFIG_ACTIONS
    )
    assert "*" not in [resource for s in allowed for resource in as_list(s["Resource"])]
    # its own logs, and the stacks of its account and region
    assert allows(statements, "logs:PutLogEvents", f"arn:aws:test:{REGION}:{ACCOUNT}:Logs.Arn")
    for action in STACK_READ_ACTIONS:
        assert allows(statements, action, f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/x/1")
        assert not allows(statements, action, f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/x")
    # and on Lambda exactly the configs the construct's ARNs cover, in this account and region
    requests = [
        *(f"{FUNCTIONS}{name}" for name in ("async-a", "async-a:live", "billing", "billing:7")),
        *(f"{FUNCTIONS}{name}" for name in ("billing-2", "xasync-a", "orders", "asyn", "*")),
        f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:billing",
        f"arn:aws:lambda:{REGION}:999999999999:function:async-a",
        f"arn:aws-cn:lambda:{REGION}:{ACCOUNT}:function:billing",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:billing",
    ]
    expected = {arn: evaluate(granted, "lambda:x", arn).allowed for arn in requests}
    assert sum(expected.values()) == 4
    for action in CONFIG_ACTIONS:
        assert {arn: allows(statements, action, arn) for arn in requests} == expected, action


@pytest.mark.parametrize(
    ("export_name", "expected"),
    [("", f"{RELEASE_STACK}ServiceToken"), ("team-a-event-configs", "team-a-event-configs")],
)
def test_the_export_name_follows_the_stack_name_unless_given(
    export_name: str, expected: str
) -> None:
    template = release_template()
    name, value = (
        template["Outputs"]["ServiceToken"]["Export"]["Name"],
        template["Outputs"]["ServiceTokenExportName"]["Value"],
    )
    given = {"ServiceTokenExportName": export_name, "FunctionNames": ALLOWED}

    assert resolve(template, [name, value], **given) == [expected, expected]


@pytest.fixture
def s3_client(moto_endpoint: str) -> Iterator[Any]:
    """moto's S3 with the bucket `aws cloudformation package` uploads to."""
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cloudformation_package_makes_of_it_what_the_tests_deploy(
    dist: Path, tmp_path: Path, moto_endpoint: str, s3_client: Any
) -> None:
    packaged = tmp_path / "packaged.yaml"
    subprocess.run(
        [str(shutil.which("aws")), "cloudformation", "package", "--s3-bucket", BUCKET,
         "--template-file", str(dist / release.TEMPLATE.name),
         "--output-template-file", str(packaged)],
        env={**os.environ, "AWS_ENDPOINT_URL_S3": moto_endpoint, "HOME": str(tmp_path)},
        check=True,
        capture_output=True,
    )  # fmt: skip

    by_the_cli = load_yaml_template(packaged)
    code = by_the_cli["Resources"]["Function"]["Properties"]["Code"]
    uploaded = s3_client.get_object(Bucket=code["S3Bucket"], Key=code["S3Key"])["Body"].read()
    assert uploaded == (dist / release.ZIP_NAME).read_bytes()
    assert by_the_cli == package(dist, s3_client)


@pytest.mark.slow
def test_the_example_goes_through_create_update_delete_on_the_released_provider(
    dist: Path, tmp_path: Path, moto_endpoint: str, collector: ResponseCollector, s3_client: Any
) -> None:
    # GIVEN the release deployed as the README says, its provider run from the released zip
    with zipfile.ZipFile(dist / release.ZIP_NAME) as archive:
        archive.extractall(tmp_path / "code")
    provider_template = package(dist, s3_client)
    function = provider_template["Resources"]["Function"]["Properties"]
    asset = ProviderAsset(tmp_path / "code", function["Handler"], function["Timeout"])
    example = load_yaml_template(EXAMPLE)
    config = example["Resources"]["WorkerAsyncConfig"]["Properties"]
    # Every call of the provider is checked against the release role's grants (and the `cloud`
    # teardown would fail on a denied one: here, asserted below).
    with LocalCloud(asset, moto_endpoint=moto_endpoint, collector=collector) as cloud:
        lambda_client, engine = cloud.lambda_client, cloud.engine
        provider = engine.create_stack(RELEASE_STACK, provider_template, {"FunctionNames": ALLOWED})
        assert provider.status == "CREATE_COMPLETE", provider.events
        token = engine.exports[config["ServiceToken"]["Fn::ImportValue"]]
        assert token == provider.resources["Function"].attributes["Arn"]
        # WHEN the example is created, updated and deleted
        created = engine.create_stack("orders", example)
        assert created.status == "CREATE_COMPLETE", (created.events, cloud.provider.last_logs)
        worker = "async-orders-worker"
        settings = lambda_client.get_function_event_invoke_config(FunctionName=worker)
        assert (settings["MaximumRetryAttempts"], settings["MaximumEventAgeInSeconds"]) == (1, 3600)

        config["MaximumEventAgeInSeconds"] = 60
        assert engine.update_stack("orders", example).status == "UPDATE_COMPLETE"
        settings = lambda_client.get_function_event_invoke_config(FunctionName=worker)
        assert settings["MaximumEventAgeInSeconds"] == 60

        assert engine.delete_stack("orders").status == "DELETE_COMPLETE"
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
            lambda_client.get_function_event_invoke_config(FunctionName=worker)
        # THEN every request went to the released code, and the release stack goes cleanly
        assert [e.event["RequestType"] for e in cloud.provider.history] == [
            "Create", "Update", "Delete"
        ]  # fmt: skip
        assert engine.delete_stack(RELEASE_STACK).status == "DELETE_COMPLETE"
        assert cloud.denied_calls == []
        assert {call.action for call in cloud.iam.calls if call.allowed} >= {
            "lambda:PutFunctionEventInvokeConfig",
            "lambda:DeleteFunctionEventInvokeConfig",
            "cloudformation:DescribeStacks",
        }, "the provider's calls were checked"
