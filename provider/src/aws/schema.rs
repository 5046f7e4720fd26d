//! The `provider "trustchain" {}` block: arguments named and behaving as in
//! hashicorp/aws (its docs' index page is the reference), so a block written for one
//! reads the same in the other.

use super::services;
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::Type;

fn opt(name: &str, ty: Type, description: &str) -> Attribute {
    Attribute::optional(name, ty).description(description)
}

fn role_block(description: &str) -> Block {
    Block::new()
        .description(description)
        .attribute(opt("session_name", Type::String, "Session name recorded in CloudTrail: 2 to 64 letters, digits or _+=,.@- (default terraform-provider-trustchain)."))
        .attribute(opt("duration", Type::String, "Session duration as a Go duration, e.g. \"1h\" or \"2h45m\": 15m up to the role's maximum session duration (12h at most; 1h for a role assumed with another role's credentials)."))
        .attribute(opt("policy", Type::String, "IAM policy JSON that further restricts the session's permissions (a session policy)."))
        .attribute(opt("policy_arns", Type::set(Type::String), "ARNs of managed IAM policies that further restrict the session's permissions."))
}

pub fn provider_block() -> Schema {
    let strings = Type::list(Type::String);
    let ids = Type::set(Type::String);
    Schema::new(
        Block::new()
            .description("Manages CloudHSM v2 clusters, IPv6-only networks and QUIC-aware Network Load Balancers on AWS. Credentials and region resolve like the AWS CLI and hashicorp/aws: provider arguments, then environment variables, then shared config files.")
            .attribute(opt("region", Type::String, "AWS region, e.g. us-east-1. Defaults to AWS_REGION / AWS_DEFAULT_REGION or the profile's region."))
            .attribute(opt("profile", Type::String, "Named profile from the shared config and credentials files."))
            .attribute(opt("shared_config_files", strings.clone(), "Paths of shared config files (default ~/.aws/config)."))
            .attribute(opt("shared_credentials_files", strings, "Paths of shared credentials files (default ~/.aws/credentials)."))
            .attribute(opt("max_retries", Type::Number, "Maximum retries of a throttled or failed AWS API call (default 25, like hashicorp/aws)."))
            .attribute(opt("retry_mode", Type::String, "How calls are retried: \"adaptive\" (the default: once AWS throttles, every client of a service slows to the rate AWS accepts) or \"standard\" (each call backs off on its own). Also AWS_RETRY_MODE."))
            .attribute(opt("skip_credentials_validation", Type::Bool, "Skip the STS GetCallerIdentity call that checks credentials before the first AWS request (still made when allowed_account_ids or forbidden_account_ids is set)."))
            .attribute(opt("allowed_account_ids", ids.clone(), "AWS account ids this configuration may change. The account of the credentials is checked once, at configure (plan, apply, destroy), before anything is read or changed; any other account stops the run with both ids in the error. Conflicts with forbidden_account_ids."))
            .attribute(opt("forbidden_account_ids", ids, "AWS account ids this configuration must never change: the run stops at configure if the credentials belong to one. Conflicts with allowed_account_ids."))
            .attribute(opt("use_fips_endpoint", Type::Bool, "Resolve every service's FIPS endpoint (e.g. ec2-fips.us-east-1.amazonaws.com). Also AWS_USE_FIPS_ENDPOINT or the profile's use_fips_endpoint. A service given a URL in endpoints {} uses that URL as given."))
            .attribute(opt("use_dualstack_endpoint", Type::Bool, "Resolve every service's dual-stack (IPv4 and IPv6) endpoint (e.g. ec2.us-east-1.api.aws), for IPv6-only runners. Also AWS_USE_DUALSTACK_ENDPOINT or the profile's use_dualstack_endpoint. A service given a URL in endpoints {} uses that URL as given."))
            .attribute(opt("sts_region", Type::String, "Region of the STS calls (GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity); default: region."))
            .attribute(opt("custom_ca_bundle", Type::String, "Path of a PEM file with the root (and intermediate) certificates to trust for AWS's HTTPS endpoints instead of the system's, e.g. a TLS-inspecting proxy's CA. Also AWS_CA_BUNDLE."))
            .attribute(opt("http_proxy", Type::String, "Proxy URL for http:// requests to AWS (e.g. http://proxy.example.com:3128); \"\" for none. Also HTTP_PROXY / http_proxy. Alone, it also serves HTTPS requests (with a warning), as in hashicorp/aws."))
            .attribute(opt("https_proxy", Type::String, "Proxy URL for https:// requests to AWS (tunnelled with CONNECT); \"\" for none. Also HTTPS_PROXY / https_proxy."))
            .attribute(opt("no_proxy", Type::String, "Comma-separated hosts, domains (.example.com), IP addresses or CIDR blocks reached without a proxy; \"*\" for all. Also NO_PROXY / no_proxy."))
            .block(
                NestedBlock::list(
                    "assume_role",
                    role_block("Assume an IAM role before calling AWS. Several blocks are assumed in order, each with the credentials of the one before (role chaining).")
                        .attribute(Attribute::required("role_arn", Type::String).description("ARN of the role to assume, e.g. arn:aws:iam::123456789012:role/deployer."))
                        .attribute(opt("external_id", Type::String, "External ID the role's trust policy requires."))
                        .attribute(opt("source_identity", Type::String, "Source identity recorded in CloudTrail and passed on through role chains: 2 to 64 letters, digits or _+=,.@-."))
                        .attribute(opt("tags", Type::map(Type::String), "Session tags of the assumed role session."))
                        .attribute(opt("transitive_tag_keys", Type::set(Type::String), "Keys of tags (in tags) that pass on to sessions assumed from this one.")),
                ),
            )
            .block(
                NestedBlock::list(
                    "assume_role_with_web_identity",
                    role_block("Assume an IAM role with an OpenID Connect token (web identity federation), e.g. a CI runner's. Any assume_role blocks are then assumed with its credentials.")
                        .attribute(opt("role_arn", Type::String, "ARN of the role to assume. Also AWS_ROLE_ARN."))
                        .attribute(Attribute::optional("web_identity_token", Type::String).sensitive().description("The OIDC token itself. One of web_identity_token and web_identity_token_file."))
                        .attribute(opt("web_identity_token_file", Type::String, "File holding the OIDC token, read again whenever the credentials are renewed. Also AWS_WEB_IDENTITY_TOKEN_FILE.")),
                )
                .max_items(1),
            )
            .block(NestedBlock::list("endpoints", services::endpoints_block()).max_items(1))
            .block(
                NestedBlock::list(
                    "default_tags",
                    Block::new()
                        .description("Tags applied to every resource this provider creates; a resource's own tags win on conflicts.")
                        .attribute(opt("tags", Type::map(Type::String), "Tags to apply.")),
                )
                .max_items(1),
            )
            .block(
                NestedBlock::list(
                    "ignore_tags",
                    Block::new()
                        .description("Tags other tools manage (cost allocation, Kubernetes subnet discovery, ...): every resource leaves them out of tags and tags_all and never sets or removes them, on the VPC, subnets, route tables, gateways, clusters and load balancers alike. A key here that a resource's tags also set shows a difference at every plan, as in hashicorp/aws.")
                        .attribute(opt("keys", Type::set(Type::String), "Exact tag keys to ignore."))
                        .attribute(opt("key_prefixes", Type::set(Type::String), "Tag key prefixes to ignore, e.g. kubernetes.io/.")),
                )
                .max_items(1),
            ),
    )
}
