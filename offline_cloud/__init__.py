"""The offline cloud: AWS as the provider meets it, on 127.0.0.1, for tests, demo and benchmarks.

What it stands in for, and where each part's model and its AWS references are written down:

- CloudFormation's stack operations (`engine`, `engine_resources`, `stack_state`, `template`):
  Create, Update and Delete stack with their phases (update, cleanup, rollback and its cleanup,
  nested stacks), in CloudFormation's dependency order (DependsOn, Ref, Fn::GetAtt, Fn::Sub);
  parameters, SSM parameter types, conditions and intrinsic functions resolved as CloudFormation
  resolves them; DeletionPolicy Retain, ServiceToken and ServiceTimeout as documented. Where the
  documentation is silent (the cleanup order of replaced physical ids) `engine` says "assumed".
- The custom resource's requests (`cfn_events`, `deployment`): events as CloudFormation sends
  them (every scalar a string, a pre-signed-looking ResponseURL) and an answer that counts only
  within the ServiceTimeout, taken by an HTTPS ResponseURL endpoint (`local_cloud`).
- Native resources (`native_resources`, `native_lambda`): the types the templates use, created
  in moto; a create-only property change replaces, the rest updates in place.
- The stack API (`stack_api`): ListStackResources and DescribeStacks from the engine's live
  state, mid-operation states included, with IAM checks and throttling.
- IAM (`iam_policy`, `iam_roles`): identity-based policy evaluation (Deny wins, wildcards by
  segment) of every call made with a role's credentials, against the policies of that moment;
  IAM's size and attachment quotas enforced on each change.
- Lambda (`moto_lambda`, `local_cloud`): moto's server with its event-invoke-config store
  replaced by one that behaves like Lambda's (per qualifier, put replaces, `$LATEST` ARNs,
  configs deleted with their function), IAM-checked, countable, with injectable faults; it
  refuses any moto but the version it was written for.
- SSM (`moto_ssm`): moto's Parameter Store, where a role's requests are IAM-checked on the
  parameter's ARN and counted per operation (the provider's copies of configs it took over).
- The Lambda Python runtime (`lambda_runtime`, `lambda_bootstrap`): the synthesized provider
  asset run in execution environments (an interpreter each, importing only from the asset) that
  are initialized once and reused warm by the function's next events, one event at a time, as
  Lambda reuses them; an event that times out (killed) or crashes takes its environment along.
- CloudFormation's API for an operator's AWS CLI (`cloudformation_api`, `stack_sets`,
  `stack_requests`, `query_protocol`): stacks created and updated by change sets, as
  `aws cloudformation deploy` does, and service-managed stack sets whose instances are stacks in
  each region's engine; parameters (`UsePreviousValue`, Defaults) and IAM capabilities decided as
  CloudFormation documents them.
- One fake partition, region, account and credentials (`fake_aws`), and its own reading of
  ARNs and physical ids (`arns`), never the product's parser: a stand-in that shared it could
  not catch its bugs.

Not modelled: a change set's list of changes, parallel resource operations (one at a time,
template order among independent ones), UpdateReplacePolicy, nested stacks' own resources;
resource-based policies, permissions boundaries, SCPs, IAM conditions (refused) and IAM's
propagation delay; any AWS service or API that neither the provider nor the README's commands
call. Nothing here reaches a real account or leaves 127.0.0.1.
"""
