"""The offline cloud: AWS as the provider meets it, on 127.0.0.1, for tests, demo and benchmarks.

CloudFormation's stack operations and its API for the AWS CLI, IAM evaluation, Lambda and SSM in
moto (event-invoke-config store fixed, IAM-checked), the Lambda Python runtime, and the
custom-resource requests between them. What each part models, after which AWS documentation, what is
assumed and what is not modelled: docs/design.md, "The offline cloud". Nothing here reaches a real
account.
"""
