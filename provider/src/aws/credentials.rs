//! Assumed roles as hashicorp/aws has them: `assume_role_with_web_identity` (OIDC,
//! e.g. CI runners) first when given, then every `assume_role` block in order, each
//! hop signed with the credentials of the one before (role chaining). The SDK's
//! identity cache in front of this provider runs the chain again only when the last
//! credentials near their expiry.

use super::settings::{AssumeRole, WebIdentity, env_var};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_sdk_sts::error::DisplayErrorContext;
use aws_sdk_sts::types::{PolicyDescriptorType, Tag};
use std::time::SystemTime;
use tfplugin::framework::timeouts::parse_duration;

pub const DEFAULT_SESSION_NAME: &str = "terraform-provider-trustchain";

#[derive(Debug)]
pub struct RoleChain {
    /// STS as configured (region or sts_region, endpoint, HTTP client, retries,
    /// User-Agent) with the base credentials.
    pub sts: aws_sdk_sts::Config,
    pub web_identity: Option<WebIdentity>,
    pub roles: Vec<AssumeRole>,
}

fn seconds(duration: &Option<String>) -> Option<i32> {
    duration
        .as_deref()
        .and_then(parse_duration)
        .and_then(|d| i32::try_from(d.as_secs()).ok())
}

fn policy_arns(arns: &Option<Vec<String>>) -> Option<Vec<PolicyDescriptorType>> {
    arns.as_ref().map(|l| {
        l.iter()
            .map(|a| PolicyDescriptorType::builder().arn(a).build())
            .collect()
    })
}

fn credentials_of(
    c: Option<&aws_sdk_sts::types::Credentials>,
    what: &str,
) -> Result<Credentials, CredentialsError> {
    let c = c.ok_or_else(|| {
        CredentialsError::provider_error(format!("{what}: STS answered without credentials"))
    })?;
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        SystemTime::try_from(*c.expiration()).ok(),
        "trustchain-assume-role",
    ))
}

impl RoleChain {
    async fn web_identity(&self, w: &WebIdentity) -> Result<Credentials, CredentialsError> {
        let role_arn = w
            .role_arn
            .clone()
            .or_else(|| env_var(&["AWS_ROLE_ARN"]))
            .ok_or_else(|| {
                CredentialsError::invalid_configuration(
                    "assume_role_with_web_identity: set role_arn (or AWS_ROLE_ARN)",
                )
            })?;
        let token = match (&w.web_identity_token, &w.web_identity_token_file) {
            (Some(t), _) if !t.is_empty() => t.clone(),
            (_, file) => {
                let path = file
                    .clone()
                    .or_else(|| env_var(&["AWS_WEB_IDENTITY_TOKEN_FILE"]))
                    .ok_or_else(|| {
                        CredentialsError::invalid_configuration(
                            "assume_role_with_web_identity: set web_identity_token or web_identity_token_file (or AWS_WEB_IDENTITY_TOKEN_FILE)",
                        )
                    })?;
                // Read at every refresh: CI runners rotate the token in place.
                std::fs::read_to_string(&path)
                    .map_err(|e| {
                        CredentialsError::invalid_configuration(format!(
                            "assume_role_with_web_identity: cannot read web_identity_token_file {path:?}: {e}"
                        ))
                    })?
                    .trim()
                    .to_string()
            }
        };
        // The OIDC token is a bearer credential: never in a log line, whoever prints it.
        tfplugin::logging::secret(&token);
        let session = w
            .session_name
            .clone()
            .or_else(|| env_var(&["AWS_ROLE_SESSION_NAME"]))
            .unwrap_or_else(|| DEFAULT_SESSION_NAME.into());
        let sts = aws_sdk_sts::Client::from_conf(self.sts.clone());
        let out = sts
            .assume_role_with_web_identity()
            .role_arn(&role_arn)
            .role_session_name(session)
            .web_identity_token(token)
            .set_duration_seconds(seconds(&w.duration))
            .set_policy(w.policy.clone())
            .set_policy_arns(policy_arns(&w.policy_arns))
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(format!(
                    "AssumeRoleWithWebIdentity {role_arn} failed: {}",
                    DisplayErrorContext(&e)
                ))
            })?;
        tracing::debug!(role_arn, "assumed role with web identity");
        credentials_of(out.credentials(), "AssumeRoleWithWebIdentity")
    }

    async fn assume(
        &self,
        r: &AssumeRole,
        signer: Option<Credentials>,
        hop: usize,
    ) -> Result<Credentials, CredentialsError> {
        let role_arn = r.role_arn.clone().unwrap_or_default();
        let mut conf = self.sts.to_builder();
        if let Some(c) = signer {
            conf = conf.credentials_provider(c);
        }
        let sts = aws_sdk_sts::Client::from_conf(conf.build());
        let tags = r.tags.as_ref().map(|t| {
            t.iter()
                .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
                .collect()
        });
        let out = sts
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name(
                r.session_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SESSION_NAME.into()),
            )
            .set_external_id(r.external_id.clone())
            .set_duration_seconds(seconds(&r.duration))
            .set_policy(r.policy.clone())
            .set_policy_arns(policy_arns(&r.policy_arns))
            .set_source_identity(r.source_identity.clone())
            .set_tags(tags)
            .set_transitive_tag_keys(r.transitive_tag_keys.clone())
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(format!(
                    "AssumeRole {role_arn} (assume_role[{hop}]) failed: {}",
                    DisplayErrorContext(&e)
                ))
            })?;
        tracing::debug!(role_arn, hop, "assumed role");
        credentials_of(out.credentials(), "AssumeRole")
    }

    async fn chain(&self) -> Result<Credentials, CredentialsError> {
        let mut creds = match &self.web_identity {
            Some(w) => Some(self.web_identity(w).await?),
            None => None,
        };
        for (hop, r) in self.roles.iter().enumerate() {
            creds = Some(self.assume(r, creds, hop).await?);
        }
        creds.ok_or_else(CredentialsError::not_loaded_no_source)
    }
}

impl ProvideCredentials for RoleChain {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.chain())
    }
}
