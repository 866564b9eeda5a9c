"""What `cdk diff` shows: a rename touches only the config; an addition or removal one bucket.

Two synths of a 40-config stack are compared resource by resource, as `cdk diff` compares the
deployed template with the new one.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from event_invoke_config import RESOURCE_TYPE, LambdaEventInvokeConfig
from event_invoke_config_provider.grant_digest import GRANT_DIGEST_TYPE
from tests.support import new_function

pytestmark = pytest.mark.slow  # synthesizes stacks of 40 configs
CONFIGS = 40
BUCKET = "AWS::IAM::ManagedPolicy"


def synth(configs: dict[str, int]) -> dict[str, Any]:
    """41 functions, and a config (construct id -> function index) for each of `configs`."""
    stack = cdk.Stack(cdk.App(), "Quiet")
    functions = [new_function(stack, f"Fn{index}") for index in range(CONFIGS + 1)]
    for config_id, index in configs.items():
        LambdaEventInvokeConfig(stack, config_id, function=functions[index], retry_attempts=0)
    resources: dict[str, Any] = Template.from_stack(stack).to_json()["Resources"]
    return resources


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """The logical ids removed, added and modified, as `cdk diff` lists them."""
    both = before.keys() & after.keys()
    modified = {name for name in both if before[name] != after[name]}
    return set(before) - set(after), set(after) - set(before), modified


def without_depends_on(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if key != "DependsOn"}


def of_type(resources: dict[str, Any], kind: str) -> set[str]:
    return {name for name, body in resources.items() if body["Type"] == kind}


BASE = {f"Config{index}": index for index in range(CONFIGS)}


def test_renaming_one_config_changes_only_that_config() -> None:
    # GIVEN a deployed stack of 40 configs
    before = synth(BASE)
    # WHEN one config gets another construct id (a new logical id)
    renamed = {("Renamed7" if name == "Config7" else name): index for name, index in BASE.items()}
    after = synth(renamed)
    # THEN the diff is that config's logical id, and nothing else: its grant does not move
    removed, added, modified = changes(before, after)
    assert len(removed) == len(added) == 1
    assert modified == set()
    [old], [new] = removed, added
    assert before[old] == after[new], "the same config under a new logical id"


@pytest.mark.parametrize("change", ["added", "removed"])
def test_adding_or_removing_one_config_changes_one_bucket_and_the_configs_in_it(
    change: str,
) -> None:
    # GIVEN a stack of 40 configs and the same stack with one config more
    smaller, larger = synth(BASE), synth({**BASE, "Config40": CONFIGS})
    before, after = (smaller, larger) if change == "added" else (larger, smaller)
    # WHEN the template changes from one to the other
    removed, added, modified = changes(before, after)
    # THEN besides the config, exactly one bucket policy is replaced (a new logical id)
    [config] = of_type(larger, RESOURCE_TYPE) - of_type(smaller, RESOURCE_TYPE)
    [old_bucket] = of_type(before, BUCKET) - of_type(after, BUCKET)
    [new_bucket] = of_type(after, BUCKET) - of_type(before, BUCKET)
    assert removed | added == {config, old_bucket, new_bucket}
    assert old_bucket[:-16] == new_bucket[:-16], "the same bucket, its content hash changed"
    # and the digest lists the new bucket's ARNs (an Update that calls no AWS API)
    [digest] = of_type(after, GRANT_DIGEST_TYPE)
    assert digest in modified
    # and every other change is the DependsOn of a config that moves to the new bucket
    for name in modified - {digest}:
        assert after[name]["Type"] == RESOURCE_TYPE
        assert without_depends_on(before[name]) == without_depends_on(after[name])
        assert old_bucket in before[name]["DependsOn"] and new_bucket in after[name]["DependsOn"]
    assert len(modified) >= 2, "the bucket holds other configs"
