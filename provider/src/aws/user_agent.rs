//! The User-Agent of every AWS request names this provider and Terraform, so
//! CloudTrail's `userAgent` tells its calls apart from other tools' (hashicorp/aws
//! does the same), with `TF_APPEND_USER_AGENT` appended as in hashicorp/aws.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// `terraform-provider-trustchain/<version> (+registry) Terraform/<version> (+site)`.
pub fn product(terraform_version: &str) -> String {
    let mut ua = format!(
        "terraform-provider-trustchain/{} (+https://registry.terraform.io/providers/trustchain/trustchain)",
        crate::VERSION
    );
    if !terraform_version.is_empty() {
        ua.push_str(&format!(
            " Terraform/{terraform_version} (+https://www.terraform.io)"
        ));
    }
    ua
}

/// Puts [`product`] in front of the SDK's own User-Agent after signing (SigV4
/// never signs User-Agent), and `TF_APPEND_USER_AGENT` at its end.
#[derive(Clone, Debug)]
pub struct UserAgent {
    prefix: String,
    suffix: Option<String>,
}

impl UserAgent {
    pub fn new(terraform_version: &str) -> Self {
        Self {
            prefix: product(terraform_version),
            suffix: std::env::var("TF_APPEND_USER_AGENT")
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        }
    }

    fn value(&self, sdk: Option<&str>) -> String {
        let mut v = self.prefix.clone();
        if let Some(sdk) = sdk.filter(|s| !s.is_empty()) {
            v.push(' ');
            v.push_str(sdk);
        }
        if let Some(s) = &self.suffix {
            v.push(' ');
            v.push_str(s);
        }
        v
    }
}

impl Intercept for UserAgent {
    fn name(&self) -> &'static str {
        "TrustchainUserAgent"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request_mut().headers_mut();
        let value = self.value(headers.get("user-agent"));
        headers.try_insert("user-agent", value)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_agent_names_the_provider_and_terraform_before_the_sdk() {
        let ua = UserAgent {
            prefix: product("1.15.5"),
            suffix: Some("JenkinsAgent/i-1".into()),
        };
        let v = ua.value(Some("aws-sdk-rust/1.3 os/linux"));
        assert!(
            v.starts_with(&format!(
                "terraform-provider-trustchain/{} (+https://registry.terraform.io/providers/trustchain/trustchain) Terraform/1.15.5 (+https://www.terraform.io) aws-sdk-rust/1.3",
                crate::VERSION
            )),
            "{v}"
        );
        assert!(v.ends_with(" JenkinsAgent/i-1"), "{v}");
        assert!(!product("").contains("Terraform/"));
    }
}
