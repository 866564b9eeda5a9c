"""Synth cost per config stays flat as a stack grows, counted in jsii round trips (not time)."""

from __future__ import annotations

import pytest

from benchmarks import synth

pytestmark = pytest.mark.slow  # four synths of up to 100 configs

# Round trips to CDK's Node process are the bulk of synth time and do not drift with load.
FLAT_MARGIN = 1.1


def test_a_config_costs_no_more_round_trips_in_a_large_stack_than_in_a_small_one() -> None:
    # GIVEN stacks of 10, 20, 90 and 100 functions, each with this construct's config
    small, larger_small, large, larger_large = (
        synth.config_round_trips(count) for count in (10, 20, 90, 100)
    )

    # WHEN ten configs more are added to the small stack and to the large one
    per_config_in_small = (larger_small - small) / 10
    per_config_in_large = (larger_large - large) / 10

    # THEN each one costs about the same: nothing a config does grows with the stack
    assert per_config_in_small > 0
    assert per_config_in_large <= FLAT_MARGIN * per_config_in_small, (
        per_config_in_small,
        per_config_in_large,
    )
