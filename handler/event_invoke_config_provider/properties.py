"""Turn CloudFormation ResourceProperties into PutFunctionEventInvokeConfig arguments.

CloudFormation sends every scalar as a string ("0", "3600"); this module converts and checks
them against the Lambda service model's limits (`model_limits`) and the documented destination
rules. Nothing
here talks to AWS: a request that fails here never reaches the account. Each property has one
check (`check_function_name`, `check_qualifier`, `with_qualifier`, `check_retry_attempts`,
`check_event_age`, `check_destination`, `check_boolean`), which the CDK construct calls on its
arguments at synth time, so both refuse a bad value with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .function_ref import (
    UNQUALIFIED,
    ConfigId,
    Environment,
    FunctionRef,
    QualifierConflictError,
    parse_function,
)
from .limits import IntegerLimit, StringLimit
from .model_limits import PUT_LIMITS

# The type of the custom resource this provider serves, and the attributes it answers with.
RESOURCE_TYPE = "Custom::LambdaEventInvokeConfig"
FUNCTION_ARN_ATTRIBUTE = "FunctionArn"
LAST_MODIFIED_ATTRIBUTE = "LastModified"
# Where the provider keeps copies of the configs it takes over (copies.py), in SSM, in its own
# account and region; its role may get, put and delete only the parameters under this path.
ADOPTED_PARAMETER_PATH = "/event-invoke-config/adopted/"
# Set on a shared provider's function to its stack's name (release/provider.yaml, and the CDK
# provider given an allow-list): its grants come from its own allow-lists (ServedStackNames,
# FunctionNames), not from the consumer's template, and its reasons say so.
SHARED_PROVIDER_VARIABLE = "EVENT_INVOKE_CONFIG_SHARED_PROVIDER"

FUNCTION_NAME = "FunctionName"
QUALIFIER = "Qualifier"
RETRY_ATTEMPTS = "MaximumRetryAttempts"
EVENT_AGE = "MaximumEventAgeInSeconds"
DESTINATION_CONFIG = "DestinationConfig"
ON_SUCCESS = "OnSuccess"
ON_FAILURE = "OnFailure"
DESTINATION = "Destination"
# Not sent to Lambda: lets a Create (or a move) take over a config no resource of the stack holds.
ADOPT_EXISTING = "AdoptExisting"

CONFIG_PROPERTIES = (
    FUNCTION_NAME,
    QUALIFIER,
    RETRY_ATTEMPTS,
    EVENT_AGE,
    DESTINATION_CONFIG,
    ADOPT_EXISTING,
)
# Set by CloudFormation itself on every custom resource, never sent to Lambda.
SERVICE_TOKEN = "ServiceToken"
SERVICE_TIMEOUT = "ServiceTimeout"
RESERVED_PROPERTIES = (SERVICE_TOKEN, SERVICE_TIMEOUT)

# The API documents a 64-character limit for a bare function name; the model's 256 covers ARNs.
BARE_NAME_MAX_LENGTH = 64
# Destination services the API documents for asynchronous invocation, by ARN service field.
DESTINATION_SERVICES = {
    "sqs": "an SQS queue",
    "sns": "an SNS topic",
    "lambda": "a Lambda function",
    "events": "an EventBridge event bus",
}
FAILURE_ONLY_SERVICES = {"s3": "an S3 bucket"}
FUNCTION_NAME_FORMS = "a function name, name:qualifier, partial ARN or function ARN"
QUALIFIER_FORMS = f"a version number, an alias name or {UNQUALIFIED}"
# A whole number in CloudFormation's string form: no sign, no leading zero, at most 10 digits.
_WHOLE_NUMBER = re.compile(r"0|[1-9][0-9]{0,9}")
_ARN_SERVICE = re.compile(r"arn:[^:]+:([^:]+):")


class InvalidPropertyError(ValueError):
    """A property value the API would refuse; the message leads with the property name."""


def _describe(value: object) -> str:
    return repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."


def check_string(name: str, value: object, limit: StringLimit, allowed: str) -> str:
    """Return `value` if it is a string the model allows, else raise naming `name`."""
    if not isinstance(value, str) or not limit.accepts(value):
        raise InvalidPropertyError(
            f"{name} must be {allowed}, {limit.min_length} to {limit.max_length} characters; "
            f"got {_describe(value)}."
        )
    return value


def check_integer(name: str, value: object, limit: IntegerLimit) -> int:
    """Return `value` as an int (CloudFormation sends "0"); else raise naming `name` and range."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        number = int(value)
    if number is None or not limit.minimum <= number <= limit.maximum:
        raise InvalidPropertyError(
            f"{name} must be a whole number from {limit.minimum} to {limit.maximum}; "
            f"got {_describe(value)}."
        )
    return number


def check_function_name(name: str, value: object) -> FunctionRef:
    """A function name, a name with `:qualifier`, a partial ARN or a full ARN, parsed."""
    checked = check_string(name, value, PUT_LIMITS.function_name, FUNCTION_NAME_FORMS)
    ref = parse_function(checked)
    if ref is None:
        raise InvalidPropertyError(f"{name} must be {FUNCTION_NAME_FORMS}; got {_describe(value)}.")
    if ref.account is None and len(ref.name) > BARE_NAME_MAX_LENGTH:
        raise InvalidPropertyError(
            f"{name} must be at most {BARE_NAME_MAX_LENGTH} characters when it is a bare "
            f"function name (ARNs may be longer); got {len(ref.name)} characters."
        )
    return ref


def check_qualifier(name: str, value: object) -> str:
    """A version, an alias or $LATEST, as the model and the physical id grammar both read it."""
    checked = check_string(name, value, PUT_LIMITS.qualifier, QUALIFIER_FORMS)
    ref = parse_function(f"function-name:{checked}")
    if ref is None or ref.qualifier != checked:
        raise InvalidPropertyError(f"{name} must be {QUALIFIER_FORMS}; got {_describe(value)}.")
    return checked


def with_qualifier(name: str, ref: FunctionRef, qualifier: str | None) -> FunctionRef:
    """`ref` with the qualifier given beside it; refuses a conflicting one, naming `name`."""
    try:
        return ref.with_qualifier(qualifier)
    except QualifierConflictError as error:
        raise InvalidPropertyError(f"{name}: {error}") from None


def check_retry_attempts(name: str, value: object) -> int:
    """The maximum number of retries: a whole number within the model's bounds."""
    return check_integer(name, value, PUT_LIMITS.retry_attempts)


def check_event_age(name: str, value: object) -> int:
    """The maximum event age in seconds: a whole number within the model's bounds."""
    return check_integer(name, value, PUT_LIMITS.event_age)


def check_boolean(name: str, value: object) -> bool:
    """True or False; CloudFormation sends "true" and "false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidPropertyError(f"{name} must be true or false; got {_describe(value)}.")


def check_destination(name: str, value: object, *, on_failure: bool) -> str:
    """A destination ARN of a documented service; S3 only when `on_failure`."""
    checked = check_string(name, value, PUT_LIMITS.destination, "an ARN")
    allowed = {**DESTINATION_SERVICES, **(FAILURE_ONLY_SERVICES if on_failure else {})}
    match = _ARN_SERVICE.match(checked)
    if match is None or match.group(1) not in allowed:
        *others, last = allowed.values()
        kinds = f"{', '.join(others)}, or {last}"
        s3_note = "" if on_failure else " (an S3 bucket is allowed on failure only)"
        raise InvalidPropertyError(
            f"{name} must be the ARN of {kinds}{s3_note}; got {_describe(value)}."
        )
    return checked


def _mapping(name: str, value: object, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidPropertyError(
            f"{name} must be an object with {', '.join(allowed)}; got {_describe(value)}."
        )
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise InvalidPropertyError(
            f"{name} has unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}."
        )
    return value


def _destination_config(value: object) -> dict[str, Any]:
    config = _mapping(DESTINATION_CONFIG, value, (ON_SUCCESS, ON_FAILURE))
    if not config:
        raise InvalidPropertyError(
            f"{DESTINATION_CONFIG} must have {ON_SUCCESS}, {ON_FAILURE} or both; leave it out "
            "for no destinations."
        )
    checked: dict[str, Any] = {}
    for key in (ON_SUCCESS, ON_FAILURE):
        if key not in config:
            continue
        path = f"{DESTINATION_CONFIG}.{key}"
        target = _mapping(path, config[key], (DESTINATION,))
        if DESTINATION not in target:
            raise InvalidPropertyError(f"{path}.{DESTINATION} is required when {path} is given.")
        arn = check_destination(
            f"{path}.{DESTINATION}", target[DESTINATION], on_failure=key == ON_FAILURE
        )
        checked[key] = {DESTINATION: arn}
    return checked


@dataclass(frozen=True)
class ConfigRequest:
    """A checked config: which function, the settings to put, and whether it may take over."""

    function: FunctionRef
    settings: dict[str, Any] = field(default_factory=dict)
    adopt_existing: bool = False

    def config_id(self, home: Environment) -> ConfigId:
        """The config this request writes: bare names and partial ARNs live in `home`.

        The provider acts with its own role in its own account and region, so a function
        elsewhere is refused here rather than denied or not found by Lambda.
        """
        config = self.function.config_id(home)
        if (config.partition, config.region, config.account) != (
            home.partition,
            home.region,
            home.account,
        ):
            raise InvalidPropertyError(
                f"{FUNCTION_NAME} must be a function in the provider's account {home.account} "
                f"and region {home.region}; got {config.function_arn}."
            )
        return config


def parse_properties(properties: Mapping[str, Any]) -> ConfigRequest:
    """Check `properties` and return the config they declare.

    Raises `InvalidPropertyError` for the first bad value. Settings not given are left out of the
    request, which makes Lambda remove them (put replaces the whole config).
    """
    unknown = sorted(set(properties) - set(CONFIG_PROPERTIES) - set(RESERVED_PROPERTIES))
    if unknown:
        raise InvalidPropertyError(
            f"Unknown property {unknown[0]!r}; allowed: {', '.join(CONFIG_PROPERTIES)}."
        )
    if FUNCTION_NAME not in properties:
        raise InvalidPropertyError(f"{FUNCTION_NAME} is required: a function name or ARN.")
    function = check_function_name(FUNCTION_NAME, properties[FUNCTION_NAME])
    if QUALIFIER in properties:
        function = with_qualifier(
            QUALIFIER, function, check_qualifier(QUALIFIER, properties[QUALIFIER])
        )
    settings: dict[str, Any] = {}
    if RETRY_ATTEMPTS in properties:
        settings[RETRY_ATTEMPTS] = check_retry_attempts(RETRY_ATTEMPTS, properties[RETRY_ATTEMPTS])
    if EVENT_AGE in properties:
        settings[EVENT_AGE] = check_event_age(EVENT_AGE, properties[EVENT_AGE])
    if DESTINATION_CONFIG in properties:
        settings[DESTINATION_CONFIG] = _destination_config(properties[DESTINATION_CONFIG])
    adopt = ADOPT_EXISTING in properties and check_boolean(
        ADOPT_EXISTING, properties[ADOPT_EXISTING]
    )
    return ConfigRequest(function, settings, adopt)
