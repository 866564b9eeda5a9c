"""`make demo`'s failure section: what went wrong, what Lambda holds, within 100 columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from event_invoke_config_provider.adoption import ALLOW_ADOPTION_VARIABLE
from event_invoke_config_provider.function_ref import NOT_CREATED
from offline_cloud.deployment import LocalCloud
from offline_cloud.template import load_template
from scripts import demo

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("verbose", [False, True], ids=["short", "verbose"])
def test_a_bad_value_and_a_config_set_by_hand_read_at_100_columns(
    cdk_out: Path, cloud: LocalCloud, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    # GIVEN the provider stack whose ServiceToken examples/async-config.yaml imports
    provider = load_template(cdk_out, demo.PROVIDER_STACK)
    assert cloud.engine.create_stack(demo.PROVIDER_STACK, provider).status == demo.CREATED
    # WHEN the demo's failure section runs
    demo.failures(cloud, demo.Report(verbose), "legacy", provider)
    # THEN one line per step, in order, each within 100 columns (but the JSON of --verbose)
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines if not line.startswith("    ")) <= demo.WIDTH
    assert verbose or max(map(len, lines)) <= demo.WIDTH
    blocks: list[list[str]] = []
    for line in lines:
        if " .." in line:
            blocks.append([])
        blocks[-1].append(line)
    assert [block[0].rsplit(" ", 1)[-1] for block in blocks] == [
        demo.CREATED, demo.ROLLED_BACK, "CloudFormation)", demo.ROLLED_BACK, demo.ROLLED_BACK,
        demo.UPDATED, demo.UPDATED, demo.DELETED,
    ]  # fmt: skip
    bad_value, set_by_hand, refused, not_adopted, _, adopted = (
        "\n".join(block) for block in blocks[1:7]
    )
    # the bad value's reason, and no config written
    assert "reason: MaximumRetryAttempts must be a whole number from 0 to 2" in bad_value
    assert re.search(r"async-legacy-worker:\$LATEST +- +- +\(no config\)", bad_value)
    # and its rollback's Delete says in words that nothing was there to delete
    assert re.search(
        r"Delete +WorkerAsyncConfig +SUCCESS +nothing to delete: Create failed before a config "
        "existed",
        bad_value,
    )
    # the config set by hand refused, naming AdoptExisting, and left as it was
    hand_set = r"async-legacy-worker:\$LATEST +2 +600 s +- +-"
    assert re.search(hand_set, set_by_hand)
    assert "AdoptExisting: true" in refused
    assert re.search(hand_set, refused)
    # the shared provider does not adopt until its operator allows it
    assert "does not adopt (AllowAdoption false" in not_adopted
    assert re.search(hand_set, not_adopted)
    assert demo.ALLOW_ADOPTION_VARIABLE == ALLOW_ADOPTION_VARIABLE
    # then taken over: the template's settings
    assert re.search(r"async-legacy-worker:\$LATEST +1 +3600 s +- +sqs:Failures$", adopted, re.M)
    assert demo.NOT_CREATED == NOT_CREATED, "the provider's marker of a failed Create"
    # full JSON only when verbose
    assert any(line.startswith("    request: {") for line in lines) == verbose
