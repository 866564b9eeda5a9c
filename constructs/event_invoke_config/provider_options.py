"""The provider's options (`ProviderOptions`), their defaults and their checks."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from aws_cdk import RemovalPolicy, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from .arguments import check_type

DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH
DEFAULT_LOG_REMOVAL_POLICY = RemovalPolicy.RETAIN
DEFAULT_MEMORY_SIZE = 256
MEMORY_SIZE_RANGE = range(128, 10_240 + 1)


@dataclass(frozen=True)
class ProviderOptions:
    """The provider's options; see `EventInvokeConfigProvider`. None stands for the default."""

    log_retention: logs.RetentionDays = DEFAULT_LOG_RETENTION
    log_removal_policy: RemovalPolicy = DEFAULT_LOG_REMOVAL_POLICY
    memory_size: int | float = DEFAULT_MEMORY_SIZE
    vpc: ec2.IVpc | None = None
    vpc_subnets: ec2.SubnetSelection | None = None
    log_kms_key: kms.IKey | None = None
    allow_adoption: bool | None = None

    def __post_init__(self) -> None:
        check_type("log_retention", self.log_retention, (logs.RetentionDays,), optional=True)
        check_type("log_removal_policy", self.log_removal_policy, (RemovalPolicy,), optional=True)
        check_type("memory_size", self.memory_size, (int, float), optional=True)
        check_type("vpc", self.vpc, (ec2.IVpc,), optional=True)
        check_type("vpc_subnets", self.vpc_subnets, (ec2.SubnetSelection,), optional=True)
        check_type("log_kms_key", self.log_kms_key, (kms.IKey,), optional=True)
        check_type("allow_adoption", self.allow_adoption, (bool,), optional=True)
        for option in fields(self):
            if getattr(self, option.name) is None:
                object.__setattr__(self, option.name, option.default)
        memory = self.memory_size
        # A number token is a finite float; an int is never one.
        if not (
            isinstance(memory, float) and math.isfinite(memory) and Token.is_unresolved(memory)
        ):
            if not float(memory).is_integer() or int(memory) not in MEMORY_SIZE_RANGE:
                raise ValueError(
                    f"memory_size must be a whole number from 128 to 10240 (MB); got {memory}."
                )
            object.__setattr__(self, "memory_size", int(memory))
        if self.vpc_subnets is not None and self.vpc is None:
            raise ValueError("vpc_subnets needs vpc: give the VPC the subnets belong to.")
