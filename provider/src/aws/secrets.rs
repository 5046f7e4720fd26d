//! Every credential the SDK resolves (environment, profile, SSO, credential_process,
//! assume_role, container or instance role) is registered with the log redactor
//! before the first request is signed with it, so no log line, panic text or
//! diagnostic can carry it, whatever the level or crate (tfplugin::logging::redact).

use aws_config::SdkConfig;
use aws_credential_types::provider::{
    ProvideCredentials, SharedCredentialsProvider, future::ProvideCredentials as Provided,
};

/// `sdk` with its credentials provider wrapped in [`Registering`].
pub fn register_resolved_credentials(sdk: SdkConfig) -> SdkConfig {
    let Some(inner) = sdk.credentials_provider() else {
        return sdk;
    };
    sdk.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(Registering(inner)))
        .build()
}

/// A credentials provider that registers what the inner one resolves.
#[derive(Debug)]
pub struct Registering(pub SharedCredentialsProvider);

impl ProvideCredentials for Registering {
    fn provide_credentials<'a>(&'a self) -> Provided<'a>
    where
        Self: 'a,
    {
        Provided::new(async move {
            let c = self.0.provide_credentials().await?;
            tfplugin::logging::secret(c.access_key_id());
            tfplugin::logging::secret(c.secret_access_key());
            if let Some(token) = c.session_token() {
                tfplugin::logging::secret(token);
            }
            Ok(c)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;

    #[tokio::test]
    async fn resolved_credentials_are_redacted_from_then_on() {
        let creds = Credentials::new(
            "AKIAREGISTERTEST0001",
            "registered/secret/value/0123456789abcdef",
            Some("registered+session/token==".into()),
            None,
            "test",
        );
        let sdk = SdkConfig::builder()
            .credentials_provider(SharedCredentialsProvider::new(creds))
            .build();
        let sdk = register_resolved_credentials(sdk);
        let resolved = sdk
            .credentials_provider()
            .expect("provider")
            .provide_credentials()
            .await
            .expect("credentials");
        assert_eq!(resolved.access_key_id(), "AKIAREGISTERTEST0001");
        let line = tfplugin::logging::redact(
            "key AKIAREGISTERTEST0001 secret registered/secret/value/0123456789abcdef token registered%2Bsession%2Ftoken%3D%3D",
        );
        assert_eq!(line, "key [redacted] secret [redacted] token [redacted]");
    }
}
