"""IAM's quotas in the offline engine: a change past one fails its resource, as on AWS.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: a managed policy
holds 6,144 characters, a role's inline policies 10,240 together, a role 10 managed policies.
The last test holds release/provider.yaml's documented maximum of FunctionNames to them.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import make_release
from offline_cloud.engine import CloudFormation
from offline_cloud.iam_roles import policy_chars
from offline_cloud.native_resources import NativeResources
from offline_cloud.physical_resources import Created
from offline_cloud.stack_state import Stack
from offline_cloud.template import load_yaml_template

ROLE_REF = [{"Ref": "Role"}]
AWS_MANAGED = "arn:aws:iam::aws:policy/ReadOnly"


def never_called(_stack: Stack, event: dict[str, Any]) -> Created:
    raise AssertionError(f"no custom resource here: {event}")


@pytest.fixture
def engine(moto_endpoint: str) -> CloudFormation:
    return CloudFormation(NativeResources(moto_endpoint), never_called)


def document(chars: int) -> dict[str, Any]:
    """A policy document of exactly `chars` characters of compact JSON."""
    statement = {"Effect": "Allow", "Action": "s3:Get*", "Resource": ""}
    small: dict[str, Any] = {"Version": "2012-10-17", "Statement": [statement]}
    statement["Resource"] = "x" * (chars - policy_chars(small))
    assert policy_chars(small) == chars
    return small


def role(inline_chars: int = 0, managed_arns: int = 0) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": document(100),
        "ManagedPolicyArns": [f"{AWS_MANAGED}{index}" for index in range(managed_arns)],
    }
    if inline_chars:
        properties["Policies"] = [{"PolicyName": "own", "PolicyDocument": document(inline_chars)}]
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def managed(chars: int = 200) -> dict[str, Any]:
    properties = {"PolicyDocument": document(chars), "Roles": ROLE_REF}
    return {"Type": "AWS::IAM::ManagedPolicy", "Properties": properties}


def inline(chars: int) -> dict[str, Any]:
    properties = {"PolicyName": "more", "PolicyDocument": document(chars), "Roles": ROLE_REF}
    return {"Type": "AWS::IAM::Policy", "Properties": properties}


def create(engine: CloudFormation, **resources: Any) -> Stack:
    return engine.create_stack(f"quota-{uuid.uuid4().hex[:8]}", {"Resources": resources})


@pytest.mark.parametrize(
    ("at_the_limit", "past_it", "reason"),
    [
        ({"P": managed(6_144)}, {"P": managed(6_145)}, "quota for PolicySize: 6144"),
        (
            {"Role": role(managed_arns=9), "P": managed()},  # AWS managed ones count too
            {"Role": role(managed_arns=10), "P": managed()},
            "quota for PoliciesPerRole: 10",
        ),
        (
            {"Role": role(inline_chars=6_000), "P": inline(4_240)},
            {"Role": role(inline_chars=6_000), "P": inline(4_241)},
            "Maximum policy size of 10240 bytes exceeded",
        ),
    ],
    ids=["managed policy size", "managed policies per role", "inline policies per role"],
)
def test_a_create_past_a_quota_fails_the_resource_and_rolls_back(
    engine: CloudFormation, at_the_limit: dict[str, Any], past_it: dict[str, Any], reason: str
) -> None:
    assert create(engine, **{"Role": role(), **at_the_limit}).status == "CREATE_COMPLETE"

    stack = create(engine, **{"Role": role(), **past_it})

    assert stack.status == "ROLLBACK_COMPLETE"
    [failure] = stack.reasons("CREATE_FAILED")
    assert reason in failure
    assert [e.logical_id for e in stack.events if e.status == "CREATE_FAILED"] == ["P"]


def test_an_update_past_a_quota_fails_and_the_old_policies_stay(engine: CloudFormation) -> None:
    stack = create(engine, Role=role(managed_arns=8), P=managed(), Q=managed())
    role_name = str(stack.resources["Role"].physical_id)
    before = engine.native.role_policies.documents(role_name)

    # A new policy name replaces P: old and new are attached together until the cleanup phase.
    renamed = managed()
    renamed["Properties"]["ManagedPolicyName"] = "renamed"
    update = {"Role": role(managed_arns=8), "P": renamed, "Q": managed()}
    updated = engine.update_stack(stack.name, {"Resources": update})

    assert updated.status == "UPDATE_ROLLBACK_COMPLETE"
    [failure] = updated.reasons("UPDATE_FAILED")
    assert "quota for PoliciesPerRole: 10" in failure
    assert engine.native.role_policies.documents(role_name) == before


@pytest.mark.parametrize(
    ("entries", "status"), [(47, "CREATE_COMPLETE"), (60, "ROLLBACK_COMPLETE")]
)
def test_the_documented_most_function_names_fit_the_roles_inline_policy_quota(
    engine: CloudFormation, entries: int, status: str
) -> None:
    """release/provider.yaml's FunctionNames: the documented maximum fits, more does not."""
    names = [f"{index:02d}".ljust(64, "f") for index in range(entries)]
    assert len(",".join(names)) <= 4_096, "within CloudFormation's parameter size"
    template = load_yaml_template(make_release.TEMPLATE)
    documented = " ".join(template["Parameters"]["FunctionNames"]["Description"].split())
    assert "At most 47 entries of the full 64" in documented
    template["Resources"]["Function"]["Properties"]["Code"] = {"ZipFile": "pass"}

    stack = engine.create_stack(
        f"names-{entries}", template, {"FunctionNames": names, "CodeS3Bucket": "releases"}
    )

    assert stack.status == status, stack.reasons("CREATE_FAILED")
    if status == "ROLLBACK_COMPLETE":
        assert "Maximum policy size of 10240 bytes" in stack.reasons("CREATE_FAILED")[0]
