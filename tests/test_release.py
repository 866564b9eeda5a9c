"""`make release` for plain CloudFormation: the code zip, the template, and deployments of both."""

from __future__ import annotations

import os
import re
import shlex
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

import make_release
from app import ProviderStack
from event_invoke_config.adopted_copies import COPY_ACTIONS, copies_arn
from event_invoke_config.allow_list import AllowListError, function_arns, parse_function_names
from event_invoke_config.provider import CONFIG_ACTIONS, STACK_READ_ACTIONS
from event_invoke_config_provider.properties import ADOPTED_PARAMETER_PATH
from event_invoke_config_provider.version import __version__
from offline_cloud.deployment import LocalCloud, provider_asset
from offline_cloud.engine import CloudFormation
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.iam_policy import evaluate
from offline_cloud.lambda_runtime import ProviderAsset
from offline_cloud.local_cloud import ResponseCollector
from offline_cloud.template import Resolver, Template, load_yaml_template
from tests.cfn_lint import assert_lint_clean
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "async-config.yaml"
# The README's stack name: its default export is the name examples/async-config.yaml imports.
RELEASE_STACK = "LambdaEventInvokeConfig"
ALLOWED = ["async-*", "billing"]
BUCKET = "releases"  # CodeS3Bucket: the code is read from releases-REGION
SECOND_REGION = "eu-west-1"
FUNCTIONS = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
STACKS = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/"


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
    return load_yaml_template(make_release.TEMPLATE)


def upload(dist: Path, s3_client: Any, region: str) -> None:
    """The README's `aws s3 cp` of the zip to the region's bucket, under the template's key."""
    template = release_template()
    key = resolve(template, template["Resources"]["Function"]["Properties"]["Code"]["S3Key"])
    s3_client.put_object(
        Bucket=f"{BUCKET}-{region}", Key=key, Body=(dist / make_release.ZIP_NAME).read_bytes()
    )


def resolve(
    template: Template, value: Any, parameters: dict[str, Any] | None = None, region: str = REGION
) -> Any:
    """`value` with the template's intrinsic functions done for `parameters`, as the engine."""
    stack_id = f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{RELEASE_STACK}/1"

    def attribute(logical_id: str, name: str) -> str:
        return f"arn:aws:test:{region}:{ACCOUNT}:{logical_id}.{name}"

    given = {"CodeS3Bucket": BUCKET, "FunctionNames": ALLOWED, **(parameters or {})}
    resolver = Resolver(
        RELEASE_STACK, stack_id, template, attribute, {}, parameters=given, region=region
    )
    return resolver(value)


def allows(statements: list[dict[str, Any]], action: str, arn: str) -> bool:
    return evaluate([{"Statement": statements}], action, arn).allowed


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.slow
def test_cfn_lint_finds_nothing_in_the_release_template(dist: Path) -> None:
    shipped = dist / make_release.TEMPLATE.name

    assert shipped.read_bytes() == make_release.TEMPLATE.read_bytes()
    assert_lint_clean([shipped])


@pytest.mark.slow
def test_the_zip_holds_the_files_the_construct_stages(
    dist: Path, construct_provider: tuple[Template, ProviderAsset]
) -> None:
    _template, asset = construct_provider
    zipped = make_release.zip_contents(dist / make_release.ZIP_NAME)

    assert make_release.content_hash(zipped) == make_release.content_hash(
        make_release.folder_contents(asset.code_dir)
    )
    assert "event_invoke_config_provider/index.py" in zipped


@pytest.mark.slow
def test_make_release_needs_no_node_and_gives_the_same_zip_every_time(
    dist: Path, tmp_path: Path
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JSII")}
    # no node, no npx, no cdk: git alone, for the last commit's time (SOURCE_DATE_EPOCH)
    tools = tmp_path / "git-only"
    tools.mkdir()
    (tools / "git").symlink_to(shutil.which("git") or "git")
    environment["PATH"] = str(tools)
    environment["PYTHONPATH"] = str(ROOT / "handler")  # this tree's provider, as `dist` zips it
    subprocess.run(
        [sys.executable, str(ROOT / "release" / "make_release.py"), str(tmp_path / "dist")],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )

    assert (tmp_path / "dist" / make_release.ZIP_NAME).read_bytes() == (
        dist / make_release.ZIP_NAME
    ).read_bytes()
    with zipfile.ZipFile(tmp_path / "dist" / make_release.ZIP_NAME) as archive:
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
    function = resolve(released, of_type(released, "AWS::Lambda::Function"))
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


def role_statements(template: Template) -> list[dict[str, Any]]:
    """Every statement of the role's policies, inline and managed, resolved as deployed."""
    resources = template["Resources"]
    documents = [p["PolicyDocument"] for p in resources["Role"]["Properties"]["Policies"]]
    documents += [
        body["Properties"]["PolicyDocument"]
        for body in resources.values()
        if body["Type"] == "AWS::IAM::ManagedPolicy"
        and {"Ref": "Role"} in body["Properties"]["Roles"]
    ]
    return [s for document in resolve(template, documents) for s in document["Statement"]]


def test_the_role_may_do_what_the_constructs_allow_list_grants_and_nothing_more() -> None:
    # GIVEN the release template deployed with an allow-list
    template = release_template()
    statements = role_statements(template)
    # and the construct's ARNs for the same allow-list (allow_list.function_arns)
    stack = cdk.Stack(cdk.App(), "Provider", env=cdk.Environment(account=ACCOUNT, region=REGION))
    arns = [stack.resolve(arn) for arn in function_arns(stack, ALLOWED)]
    granted = [{"Statement": {"Effect": "Allow", "Action": "*", "Resource": arns}}]
    granted = resolve(template, granted)
    # THEN no wildcard action, and no resource `*`
    allowed = [s for s in statements if s["Effect"] == "Allow"]
    actions = {action for s in allowed for action in as_list(s["Action"])}
    assert actions == {"logs:CreateLogStream", "logs:PutLogEvents"} | set(STACK_READ_ACTIONS) | set(
        CONFIG_ACTIONS
    ) | set(COPY_ACTIONS)
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
    # and on SSM only the parameters under the copies' path, in this account and region
    parameters = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
    for action in COPY_ACTIONS:
        assert allows(statements, action, f"{parameters}{ADOPTED_PARAMETER_PATH}a/b")
        for elsewhere in (
            f"{parameters}{ADOPTED_PARAMETER_PATH.rstrip('/')}-x",
            f"{parameters}/lambda-event-invoke-config/service-token",
            f"arn:aws:ssm:{SECOND_REGION}:{ACCOUNT}:parameter{ADOPTED_PARAMETER_PATH}a",
            f"arn:aws:ssm:{REGION}:999999999999:parameter{ADOPTED_PARAMETER_PATH}a",
        ):
            assert not allows(statements, action, elsewhere), (action, elsewhere)


def test_the_copies_grant_is_the_constructs_on_the_handlers_path() -> None:
    # GIVEN the release's grant on SSM and the construct's, in the same account and region
    template = release_template()
    [released] = [s for s in role_statements(template) if "ssm:GetParameter" in s["Action"]]
    stack = cdk.Stack(cdk.App(), "Provider", env=cdk.Environment(account=ACCOUNT, region=REGION))
    # THEN both are the copy actions on the handler's path, and nothing else
    path = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{ADOPTED_PARAMETER_PATH}*"
    assert released == {"Effect": "Allow", "Action": list(COPY_ACTIONS), "Resource": path}
    assert resolve(template, stack.resolve(copies_arn(stack))) == path


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
    given = {"ServiceTokenExportName": export_name}

    assert resolve(template, [name, value], given) == [expected, expected]


def stack_reads(served: list[str] | None = None) -> list[dict[str, Any]]:
    template = release_template()
    given: dict[str, Any] = {} if served is None else {"ServedStackNames": served}
    [policy] = resolve(template, template["Resources"]["Role"]["Properties"]["Policies"], given)
    statements: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return statements


@pytest.mark.parametrize(
    ("served", "readable", "unreadable"),
    [
        (None, ["orders", "billing-2", "x"], [f"arn:aws:cloudformation:{SECOND_REGION}"]),
        (["orders-*", "billing"], ["orders-a", "billing"], ["billing-2", "xorders-a", "other"]),
    ],
)
def test_the_stack_reads_are_those_served_stack_names_allows(
    served: list[str] | None, readable: list[str], unreadable: list[str]
) -> None:
    statements = stack_reads(served)
    for action in STACK_READ_ACTIONS:
        for name in readable:
            assert allows(statements, action, f"{STACKS}{name}/4a7c-id"), (action, name)
        for name in unreadable:
            arn = f"{name}:{ACCOUNT}:stack/orders/id" if name.startswith("arn:") else name
            arn = arn if arn.startswith("arn:") else f"{STACKS}{name}/4a7c-id"
            assert not allows(statements, action, arn), (action, name)
        other_account = f"arn:aws:cloudformation:{REGION}:999999999999:stack/orders-a/id"
        assert not allows(statements, action, other_account)


def test_the_options_reach_the_role_the_log_group_and_the_function() -> None:
    template = release_template()
    resources = template["Resources"]
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/platform-boundary"
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    given: dict[str, Any] = {
        "PermissionsBoundary": boundary,
        "LogKmsKeyArn": key,
        "MemorySize": 1024,
    }

    assert resolve(template, resources["Role"]["Properties"], given)["PermissionsBoundary"] == (
        boundary
    )
    assert resolve(template, resources["Logs"]["Properties"], given)["KmsKeyId"] == key
    assert resolve(template, resources["Function"]["Properties"], given)["MemorySize"] == 1024
    # left empty, they are left out
    assert "PermissionsBoundary" not in resolve(template, resources["Role"]["Properties"])
    assert "KmsKeyId" not in resolve(template, resources["Logs"]["Properties"])


@pytest.mark.parametrize(
    ("parameter", "good", "bad"),
    [
        ("CodeS3Bucket", ["acme-artifacts", "a1.b"], ["", "Acme", "-x", "a" * 48, "b/c"]),
        ("CodeS3Prefix", ["", "lambda-event-invoke-config/", "a/b.c/"], ["a", "/a/", "a b/"]),
        ("ServedStackNames", ["*", "orders-*", "Billing2"], ["", "a_b", "a" * 129, "a/b"]),
        ("ServiceTokenParameterName", ["/a/b", "/x"], ["a/b", "/", "/a b"]),
        ("ServiceTokenExportName", ["", "team-a:token"], ["a b", "a/b"]),
        ("PermissionsBoundary", ["", f"arn:aws:iam::{ACCOUNT}:policy/b"], ["b", "arn:aws:s3:::b"]),
        ("LogKmsKeyArn", ["", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/ab-12"], ["alias/x", "k"]),
    ],
)
def test_cloudformation_checks_every_parameter(
    parameter: str, good: list[str], bad: list[str]
) -> None:
    declared = release_template()["Parameters"][parameter]

    def accepted(value: str) -> bool:
        return re.fullmatch(declared["AllowedPattern"], value) is not None and len(value) <= int(
            declared.get("MaxLength", 10**6)
        )

    assert [value for value in good if not accepted(value)] == []
    assert [value for value in bad if accepted(value)] == []


def test_every_parameter_is_checked_by_cloudformation() -> None:
    parameters = release_template()["Parameters"]
    checks = {"AllowedPattern", "AllowedValues", "MinValue"}

    assert [name for name, body in parameters.items() if not checks & set(body)] == []


def test_the_template_carries_the_version_in_its_metadata_outputs_and_code_key() -> None:
    template = release_template()

    assert template["Metadata"]["LambdaEventInvokeConfig"]["Version"] == __version__
    assert template["Outputs"]["Version"]["Value"] == __version__
    code_key = template["Resources"]["Function"]["Properties"]["Code"]["S3Key"]
    assert code_key == {"Fn::Sub": f"${{CodeS3Prefix}}{make_release.ZIP_NAME}"}
    # and no parameter names it: an update keeps a parameter's value (tests/test_release_upgrade.py)
    assert [p for p in template["Parameters"].values() if ".zip" in str(p.get("Default"))] == []
    assert f"provider-{__version__}.zip" == make_release.ZIP_NAME
    assert make_release.template_versions(make_release.TEMPLATE.read_text()) == {__version__}


@pytest.mark.parametrize("region", [REGION, SECOND_REGION])
def test_the_code_is_read_from_the_bucket_of_the_stacks_region(region: str) -> None:
    template = release_template()
    function = template["Resources"]["Function"]["Properties"]

    assert resolve(template, function["Code"], region=region) == {
        "S3Bucket": f"{BUCKET}-{region}",
        "S3Key": f"lambda-event-invoke-config/{make_release.ZIP_NAME}",
    }


# The bucket per region the README's convention names; a bucket named for a region it is not in.
BUCKETS = {REGION: REGION, SECOND_REGION: SECOND_REGION, "eu-west-2": REGION}


@pytest.fixture
def s3_client(moto_endpoint: str) -> Iterator[Any]:
    """moto's S3 with a release bucket per region (releases-REGION), in that region."""
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    for name, location in BUCKETS.items():
        where = {"CreateBucketConfiguration": {"LocationConstraint": location}}
        client.create_bucket(Bucket=f"{BUCKET}-{name}", **({} if location == REGION else where))
    yield client
    for name in BUCKETS:
        for item in client.list_objects_v2(Bucket=f"{BUCKET}-{name}").get("Contents", []):
            client.delete_object(Bucket=f"{BUCKET}-{name}", Key=item["Key"])
        client.delete_bucket(Bucket=f"{BUCKET}-{name}")


@pytest.mark.slow
def test_the_example_goes_through_create_update_delete_on_the_released_provider(
    dist: Path, tmp_path: Path, moto_endpoint: str, collector: ResponseCollector, s3_client: Any
) -> None:
    # GIVEN the release deployed as the README says, its provider run from the released zip
    with zipfile.ZipFile(dist / make_release.ZIP_NAME) as archive:
        archive.extractall(tmp_path / "code")
    upload(dist, s3_client, REGION)
    provider_template = load_yaml_template(dist / make_release.TEMPLATE.name)
    function = provider_template["Resources"]["Function"]["Properties"]
    asset = ProviderAsset(tmp_path / "code", function["Handler"], function["Timeout"])
    example = load_yaml_template(EXAMPLE)
    config = example["Resources"]["WorkerAsyncConfig"]["Properties"]
    # Every call of the provider is checked against the release role's grants (and the `cloud`
    # teardown would fail on a denied one: here, asserted below).
    with LocalCloud(asset, moto_endpoint=moto_endpoint, collector=collector) as cloud:
        lambda_client, engine = cloud.lambda_client, cloud.engine
        given = {"FunctionNames": ALLOWED, "CodeS3Bucket": BUCKET}
        provider = engine.create_stack(RELEASE_STACK, provider_template, given)
        assert provider.status == "CREATE_COMPLETE", provider.events
        token = engine.exports[config["ServiceToken"]["Fn::ImportValue"]]
        assert token == provider.resources["Function"].attributes["Arn"]
        assert cloud.native.ssm_parameter("/lambda-event-invoke-config/service-token") == token
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


def deploy_release(engine: CloudFormation, dist: Path) -> Any:
    """The release stack as the README's StackSet deploys it: the same values in every region."""
    template = load_yaml_template(dist / make_release.TEMPLATE.name)
    return engine.create_stack(
        RELEASE_STACK, template, {"FunctionNames": ALLOWED, "CodeS3Bucket": BUCKET}
    )


@pytest.mark.slow
def test_one_template_and_one_set_of_values_deploy_in_every_region_whose_bucket_holds_the_zip(
    dist: Path, moto_endpoint: str, collector: ResponseCollector, s3_client: Any
) -> None:
    # GIVEN the zip uploaded to the bucket of two regions, and to a bucket in the wrong region
    for region in BUCKETS:
        upload(dist, s3_client, region)
    asset = ProviderAsset(dist, "unused", 1)
    zipped = (dist / make_release.ZIP_NAME).read_bytes()
    for region in (REGION, SECOND_REGION):
        # WHEN the release stack is created there with the StackSet's values
        with LocalCloud(
            asset, moto_endpoint=moto_endpoint, collector=collector, region=region
        ) as cloud:
            stack = deploy_release(cloud.engine, dist)
            # THEN the function runs that region's copy of the zip, and its token is published
            assert stack.status == "CREATE_COMPLETE", stack.events
            arn = stack.resources["Function"].attributes["Arn"]
            assert arn.startswith(f"arn:aws:lambda:{region}:{ACCOUNT}:function:")
            code = cloud.lambda_client.get_function(FunctionName=arn)["Configuration"]
            assert code["CodeSize"] == len(zipped)
            assert cloud.native.ssm_parameter("/lambda-event-invoke-config/service-token") == arn
            assert cloud.engine.exports[f"{RELEASE_STACK}ServiceToken"] == arn
            assert cloud.engine.delete_stack(RELEASE_STACK).status == "DELETE_COMPLETE"
    # and where the bucket named for the region is not in it, or holds no zip, the stack fails
    for region, error in (("eu-west-2", "PermanentRedirect"), ("ap-south-1", "NoSuchBucket")):
        with LocalCloud(
            asset, moto_endpoint=moto_endpoint, collector=collector, region=region
        ) as cloud:
            failed = deploy_release(cloud.engine, dist)
            assert failed.status == "ROLLBACK_COMPLETE"
            assert any(error in reason for reason in failed.reasons("CREATE_FAILED"))


# --- A narrowed shared provider strands no consumer (issue 22, item 4) -----------------------

WORKER = "async-orders-worker"


@pytest.mark.slow
@pytest.mark.waits
@pytest.mark.parametrize(
    ("narrowed", "cause"),
    [
        (
            {"FunctionNames": ["billing"]},
            f"the shared provider {RELEASE_STACK} may not delete it any more (FunctionNames "
            "narrowed)",
        ),
        (
            {"ServedStackNames": ["billing-*"]},
            f"the provider may not read this stack (the shared provider {RELEASE_STACK}'s "
            "ServedStackNames leave it out)",
        ),
    ],
)
def test_a_narrowed_shared_provider_strands_no_consumer(
    dist: Path,
    tmp_path: Path,
    moto_endpoint: str,
    *,
    collector: ResponseCollector,
    s3_client: Any,
    narrowed: dict[str, list[str]],
    cause: str,
) -> None:
    # GIVEN the example served by the release, whose operator then narrows it
    with zipfile.ZipFile(dist / make_release.ZIP_NAME) as archive:
        archive.extractall(tmp_path / "code")
    upload(dist, s3_client, "us-east-1")
    release = load_yaml_template(dist / make_release.TEMPLATE.name)
    function = release["Resources"]["Function"]["Properties"]
    asset = ProviderAsset(tmp_path / "code", function["Handler"], function["Timeout"])
    values = {"FunctionNames": ALLOWED, "CodeS3Bucket": BUCKET}
    with LocalCloud(asset, moto_endpoint=moto_endpoint, collector=collector) as cloud:
        engine = cloud.engine
        assert engine.create_stack(RELEASE_STACK, release, values).status == "CREATE_COMPLETE"
        assert engine.create_stack("orders", load_yaml_template(EXAMPLE)).status == (
            "CREATE_COMPLETE"
        )
        narrowing = engine.update_stack(RELEASE_STACK, release, {**values, **narrowed})
        assert narrowing.status == "UPDATE_COMPLETE"
        # WHEN the consumer is deleted
        stack = engine.delete_stack("orders")
        # THEN it fails, with the cause and both commands whole
        assert stack.status == "DELETE_FAILED"
        [reason] = [text for text in stack.reasons("DELETE_FAILED") if text]
        assert cause in reason
        commands = [shlex.split(text) for text in re.findall(r"aws [a-z]+ [a-z-]+ [^;(]+", reason)]
        assert [command[:3] for command in commands] == [
            ["aws", "lambda", "delete-function-event-invoke-config"],
            ["aws", "cloudformation", "delete-stack"],
        ]
        # AND followed as written, they finish the job: config gone, stack gone
        function_name = _option(commands[0], "--function-name")
        assert function_name.endswith(f":function:{WORKER}") and "--qualifier" not in commands[0]
        cloud.lambda_client.delete_function_event_invoke_config(FunctionName=function_name)
        assert _option(commands[1], "--stack-name") == stack.stack_id
        retained = _option(commands[1], "--retain-resources")
        assert engine.delete_stack(stack.stack_id, (retained,)).status == "DELETE_COMPLETE"
        with pytest.raises(cloud.lambda_client.exceptions.ResourceNotFoundException):
            cloud.lambda_client.get_function_event_invoke_config(FunctionName=WORKER)
        assert engine.delete_stack(RELEASE_STACK).status == "DELETE_COMPLETE"


def _option(command: list[str], name: str) -> str:
    """The value of one option of a parsed command."""
    return command[command.index(name) + 1]
