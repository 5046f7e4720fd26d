//! What each platform still needs from an operator on a real AWS account: steps no
//! Terraform resource of these modules can take (data-plane actions, registrar records,
//! in-cluster software, secrets), listed in the platform README.

use crate::model::OperatorStep;

fn step(step: &str, detail: &str) -> OperatorStep {
    OperatorStep {
        step: step.into(),
        detail: detail.into(),
    }
}

/// Steps both platforms share.
fn common(platform: &str) -> Vec<OperatorStep> {
    vec![
        step(
            "Create the state bucket first.",
            &format!(
                "The example's S3 backend (`examples/{platform}/env/*.s3.tfbackend`, `use_lockfile = true`) needs its bucket before `terraform init`."
            ),
        ),
        step(
            "Give the account-wide singletons to one environment.",
            "GuardDuty, AWS Config, the multi-region trail (and on Solidity the ECR replication configuration and the cost anomaly monitor) exist once per account and region: exactly one environment per account sets `create_account_resources = true` (prod in `env/`). Where an organization already runs them (delegated GuardDuty, Config, an organization trail), set it to false everywhere or import them.",
        ),
        step(
            "Delegate the domain.",
            "The dns module creates the hosted zone; add its `name_servers` as NS records at the parent domain or registrar. The ACM certificate validates through that zone, so `terraform apply` waits (up to 75 minutes) until the delegation is live.",
        ),
        step(
            "Confirm the alert subscriptions.",
            "Each e-mail address must confirm its SNS subscription; SMS needs an account out of the SNS SMS sandbox (or verified numbers) and, in some countries, an origination identity.",
        ),
    ]
}

pub fn trustchain() -> Vec<OperatorStep> {
    let mut steps = common("trustchain");
    steps.extend([
        step(
            "Initialize and activate CloudHSM.",
            "Apply once, sign the `cluster_csr` output with the issuing CA (or pass the CA key, write-only), set `trust_anchor_pem` and apply again; then, from an instance, activate the cluster (`cloudhsm-cli cluster activate` sets the admin password) and create the crypto users. No AWS API does activation.",
        ),
        step(
            "Install the services on the instances.",
            "The launch template boots the arm64 AMI with the role and network only: the CA software, the CloudHSM client (pointed at the HSMs' IPv6 addresses), the CloudWatch agent and the X-Ray daemon come from `user_data` or a baked AMI.",
        ),
        step(
            "Use dual-stack AWS endpoints on the instances.",
            "The instances are IPv6-only: set `AWS_USE_DUALSTACK_ENDPOINT=true` (or the SDK option) so S3 goes through the dual-stack gateway endpoint and KMS/STS through their IPv6 interface endpoints; other AWS APIs answer through NAT64/DNS64.",
        ),
        step(
            "Register QUIC targets (quic mode only).",
            "`udp_service_mode = \"quic\"` needs each instance registered with its QUIC server ID (`quic_targets`); Auto Scaling cannot do that.",
        ),
        step(
            "Turn on DNSSEC and query logging when the domain is live.",
            "Create an ECC_NIST_P256 SIGN_VERIFY KMS key in us-east-1 whose policy admits `dnssec-route53.amazonaws.com`, and a log group in us-east-1 with a CloudWatch Logs resource policy for `route53.amazonaws.com`; pass their ARNs, then add the DS record at the parent.",
        ),
    ]);
    steps
}

pub fn solidity() -> Vec<OperatorStep> {
    let mut steps = common("solidity");
    steps.extend([
        step(
            "Apply the addons.",
            "The addons module installs the AWS Load Balancer Controller, External Secrets, the cluster autoscaler (pass it the security output `service_account_role_arns[\"cluster-autoscaler\"]` as `cluster_autoscaler_role_arn`) and the other in-cluster components with their own IRSA roles, once the cluster exists (its README gives the order of the first apply); then bind the services to the target groups with `TargetGroupBinding` resources (load_balancer output `target_group_arns`).",
        ),
        step(
            "Grant cluster access.",
            "The cluster uses EKS access entries (API mode) and only its creator is an administrator: add access entries for the operators and CI roles.",
        ),
        step(
            "Set the secrets.",
            "Put the values of the Secrets Manager secrets (`api-keys`, `tool-integrations`) outside Terraform, and pass the Redis AUTH token and the PostgreSQL master password from a secret store as `TF_VAR_redis_auth_token` and `TF_VAR_db_master_password` (bump `redis_auth_token_version` or `master_password_version` to rotate them; the database module writes the password to its Secrets Manager secret, replicated to the standby region, for External Secrets).",
        ),
        step(
            "Publish the documentation site.",
            "Upload the site to the `docs` bucket; CloudFront serves it at `docs.<domain>`.",
        ),
        step(
            "Run a regional failover when it comes.",
            "The example deploys the standby stack in the secondary region (`standby.tf`) and Route 53 moves traffic to its ALB by itself once the primary's health check fails (about 90 s of probes plus the record TTL); the database does not move by itself: promote the cross-region read replica (`aws rds promote-read-replica`, several minutes), point the services at it, and scale the standby node groups up. `examples/solidity/README.md` gives the runbook and the timings.",
        ),
    ]);
    steps
}
