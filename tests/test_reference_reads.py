"""The Python-side token test agrees with CDK's on every kind of string."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from event_invoke_config.reference_reads import is_unresolved
from tests.support import new_function


def _strings() -> dict[str, str]:
    stack = cdk.Stack(cdk.App(), "Strings")
    fn: lambda_.Function = new_function(stack)
    return {
        "a literal name": "orders",
        "a literal ARN": "arn:aws:lambda:us-east-1:123456789012:function:orders",
        "a marker look-alike": "${Token[not a token]}",
        "a generated physical name": str(fn.function_name),
        "a reference": fn.function_arn,
        "a token inside a literal": f"{fn.function_name}:live",
        "a number token": cdk.Token.as_string(cdk.Token.as_number(cdk.Aws.ACCOUNT_ID)),
        "a list token": cdk.Token.as_list(cdk.Aws.NOTIFICATION_ARNS)[0],
    }


STRINGS = _strings()


@pytest.mark.parametrize("kind", list(STRINGS))
def test_is_unresolved_answers_as_cdk_does(kind: str) -> None:
    value = STRINGS[kind]
    assert is_unresolved(value) is cdk.Token.is_unresolved(value)
