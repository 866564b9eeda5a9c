"""Every FAILED reason the provider writes itself: what was refused, why, and what to do.

A reason is `<what was refused>: <why>. <what to do>`. `{}` in its parts are details (names,
AWS's errors) that shrink to fit `cloudformation.MAX_REASON`; every other word, and every
command, stays whole. Commands name the config by its full ARN and qualifier, so that a command
run as written acts on exactly that config.
"""

from __future__ import annotations

import os

from .cloudformation import fit_reason
from .function_ref import UNQUALIFIED, ConfigId
from .properties import ADOPT_EXISTING, FUNCTION_NAME, SHARED_PROVIDER_VARIABLE


def reason(refused: str, cause: str, remedy: str, *details: object) -> str:
    """The three parts in one reason; `details` fill the `{}` and alone may shrink."""
    return fit_reason(f"{refused}: {cause}. {remedy}", *details)


def shared_provider() -> str | None:
    """The shared provider's stack name, or None for a CDK stack's own provider."""
    return os.environ.get(SHARED_PROVIDER_VARIABLE) or None


def delete_command(config: ConfigId) -> str:
    """The AWS CLI command that removes `config` by hand."""
    qualifier = "" if config.qualifier == UNQUALIFIED else f" --qualifier {config.qualifier}"
    return (
        "aws lambda delete-function-event-invoke-config "
        f"--function-name {config.function_arn}{qualifier}"
    )


def retain_command(stack_id: str, logical_id: str) -> str:
    """The AWS CLI command that deletes a DELETE_FAILED stack and keeps (forgets) one resource."""
    return (
        f"aws cloudformation delete-stack --stack-name {stack_id} --retain-resources {logical_id}"
    )


def not_managed_here(config: ConfigId, *, adoption_allowed: bool) -> str:
    """A write refused: a config that no resource of the stack holds is there."""
    adopt = (
        f"set {ADOPT_EXISTING}: true"
        if adoption_allowed
        else (
            "the provider's operator allows adoption (AllowAdoption), then set "
            f"{ADOPT_EXISTING}: true"
        )
    )
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "a config no resource of this stack manages is there; nothing was changed",
        "Another stack's: remove it there first (Retain keeps it). Left by a --no-rollback "
        f"deploy: cdk rollback. Else {adopt}.",
        config.describe(),
    )


def adoption_spent(config: ConfigId) -> str:
    """A move refused: AdoptExisting was already true before this update, so it adopts nothing."""
    return reason(
        f"{FUNCTION_NAME} {{}}",
        f"a config no resource of this stack manages is there, and {ADOPT_EXISTING} adopts only "
        "in the deploy that turns it on; nothing was changed",
        f"To take it over: deploy once with {ADOPT_EXISTING}: false, then move with it true. If "
        "another stack manages it, remove it there first.",
        config.describe(),
    )


def unreadable_stack(stack_id: str, action: str) -> str:
    """The provider may not read its stack: with the shared provider, its ServedStackNames."""
    provider = shared_provider()
    if provider is None:
        return reason(
            "The provider may not read its stack (cloudformation:{} on {})",
            "it reads it to know which resource holds a config; nothing was changed",
            "Restore the provider role's read of its own stack (a grant changed by hand).",
            action,
            stack_id,
        )
    return reason(
        "The shared provider {} does not serve this stack (cloudformation:{} on {})",
        "its ServedStackNames leave it out; nothing was changed",
        "Ask its operator to add the stack, or use a provider that serves it.",
        provider,
        action,
        stack_id,
    )


def write_denied(config: ConfigId, error: object) -> str:
    """Lambda denied the provider's role a read or write of `config`."""
    provider = shared_provider()
    if provider is not None:
        return reason(
            f"{FUNCTION_NAME} {{}}",
            "the shared provider {} may not manage it: its FunctionNames leave it out ({}); "
            "nothing was changed",
            "Ask its operator to add the function, or use a provider that serves it.",
            config.describe(),
            provider,
            error,
        )
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "the provider's role may not manage it ({}); nothing was changed",
        "If the name resolved to an ARN ending :$LATEST, give the function's unqualified ARN "
        "(CDK: function.function_arn), else restore the grant changed by hand.",
        config.describe(),
        error,
    )


def delete_denied(config: ConfigId, stack_id: str, logical_id: str, tearing_down: bool) -> str:
    """Lambda denied the Delete: a grant gone before the config, or a narrowed shared provider."""
    provider = shared_provider()
    if provider is None:
        cause = "the provider's role may not delete it: its grant left the template first"
    else:
        cause = (
            f"the shared provider {provider} may not delete it any more (FunctionNames narrowed)"
        )
    remedy = f"Remove it by hand: {delete_command(config)}"
    if tearing_down:
        remedy += f" ; then finish the teardown: {retain_command(stack_id, logical_id)}"
    return reason(f"Delete of {FUNCTION_NAME} {{}}", cause, remedy, config.describe())


def unreadable_stack_on_delete(config: ConfigId, stack_id: str, logical_id: str) -> str:
    """A Delete that may not read its stack: it cannot tell who holds the config, so it keeps it."""
    provider = shared_provider()
    return reason(
        f"Delete of {FUNCTION_NAME} {{}}",
        "the provider may not read this stack ({}), so it cannot tell whether another resource "
        "holds the config; it was kept",
        f"If the stack is being deleted, remove it by hand: {delete_command(config)} ; then: "
        f"{retain_command(stack_id, logical_id)} (an update's cleanup: the first command alone)",
        config.describe(),
        "a grant changed by hand"
        if provider is None
        else f"the shared provider {provider}'s ServedStackNames leave it out",
    )


def lambda_refused(config: ConfigId, error: object) -> str:
    """Lambda refused the write for a reason of its own (function not found, a bad destination)."""
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "Lambda refused the settings ({}); nothing was changed",
        "Fix what Lambda names, then deploy again.",
        config.describe(),
        error,
    )


def unconfirmed_create(config: ConfigId, error: object) -> str:
    """A Create's write Lambda did not confirm, at a place that was free."""
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "Lambda did not confirm the write ({})",
        "Nothing to do: the rollback removes what it may have written.",
        config.describe(),
        error,
    )


def unconfirmed_move_removed(config: ConfigId, error: object) -> str:
    """A move's write Lambda did not confirm; the provider removed what it may have left."""
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "Lambda did not confirm the write of the move ({})",
        "Nothing to do: the provider removed what it may have written, and the rollback "
        "keeps the config at its old place.",
        config.describe(),
        error,
    )


def unconfirmed_move_left(config: ConfigId, error: object) -> str:
    """A move's write Lambda did not confirm, and removing it failed too."""
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "Lambda did not confirm the write of the move ({}), and removing it failed",
        f"Remove what it may have left: {delete_command(config)}",
        config.describe(),
        error,
    )


def copy_not_kept(config: ConfigId, error: object) -> str:
    """The copy of a config about to be taken over could not be saved: nothing was written."""
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "the provider could not keep a copy of the config it takes over, which a rollback "
        "would restore ({}); nothing was changed",
        "Restore the provider's SSM grant on /event-invoke-config/adopted/*, then deploy again.",
        config.describe(),
        error,
    )


def not_restored(config: ConfigId, parameter: str, error: object) -> str:
    """A rollback could not write back the config it had taken over."""
    return reason(
        f"Rollback of {FUNCTION_NAME} {{}}",
        "the config taken over could not be written back ({})",
        f"Its settings before the deploy are in: aws ssm get-parameter --name {parameter} ; "
        "write them back with aws lambda put-function-event-invoke-config.",
        config.describe(),
        error,
    )


def rolled_back_write(config: ConfigId, error: object) -> str:
    """A write over a config taken over failed: the rollback writes the copy back."""
    return reason(
        f"{FUNCTION_NAME} {{}}",
        "Lambda did not accept the write ({})",
        "Nothing to do: the rollback writes back the settings the config had before.",
        config.describe(),
        error,
    )


def copy_unreadable(config: ConfigId, parameter: str, error: object) -> str:
    """A rollback's Delete could not read whether this resource had taken the config over."""
    return reason(
        f"Rollback of {FUNCTION_NAME} {{}}",
        "the provider could not read its copy of the config ({}), so it kept the config as it is",
        f"If the config was taken over in this deploy, its settings before are in: aws ssm "
        f"get-parameter --name {parameter} ; else remove it by hand: {delete_command(config)}",
        config.describe(),
        error,
    )


def delete_failed(config: ConfigId, error: object) -> str:
    """Lambda refused a Delete for a reason of its own."""
    return reason(
        f"Delete of {FUNCTION_NAME} {{}}",
        "Lambda refused it ({})",
        "Fix what Lambda names, then retry the stack operation.",
        config.describe(),
        error,
    )


def invalid_property(error: object) -> str:
    """A property the API would refuse: its message names it and the allowed values."""
    return reason(
        "{}",
        "nothing was changed",
        "Correct the template, then deploy again.",
        str(error).rstrip("."),
    )


def out_of_time(request_type: str, error: object) -> str:
    """CloudFormation would stop waiting before another call could finish."""
    return reason(
        f"{request_type}",
        "{}",
        "Deploy again; if Lambda or CloudFormation stays this slow, raise ServiceTimeout.",
        str(error).rstrip("."),
    )


def unexpected(request_type: str, error: object) -> str:
    """An error the provider has no reason of its own for: AWS's words, and what to do."""
    return reason(
        f"{request_type}",
        "{}",
        "Nothing more was changed than it says; retry the stack operation once its cause is "
        "fixed, and report it if it recurs.",
        error,
    )
