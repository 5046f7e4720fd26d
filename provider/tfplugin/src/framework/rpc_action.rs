//! The action RPCs (protocol 6.10): ValidateActionConfig, PlanAction and the
//! streaming InvokeAction, behind `crate::server`.

use super::{Framework, Registered, decode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::unknowns::null_elements;
use crate::provider::{ActionEvent, ActionProgress, RawAction};
use crate::value::DynamicValue;

impl Framework {
    fn action_of(&self, name: &str) -> Result<&Registered<dyn RawAction>, Diagnostic> {
        self.actions.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown action type",
                format!("This provider has no action type {name:?}."),
            )
        })
    }

    pub(crate) async fn validate_action_config(
        &self,
        type_name: &str,
        config: Option<DynamicValue>,
    ) -> Diagnostics {
        let a = match self.action_of(type_name) {
            Ok(a) => a,
            Err(e) => return e.into(),
        };
        match decode(config.as_ref(), &a.ty) {
            Ok(config) => {
                let mut all = null_elements(&config);
                all.extend(a.imp.validate(&config).await);
                all
            }
            Err(e) => e.into(),
        }
    }

    pub(crate) async fn plan_action(
        &self,
        type_name: &str,
        config: Option<DynamicValue>,
    ) -> Diagnostics {
        let a = match self.action_of(type_name) {
            Ok(a) => a,
            Err(e) => return e.into(),
        };
        match decode(config.as_ref(), &a.ty) {
            Ok(config) => a.imp.plan(&config).await,
            Err(e) => e.into(),
        }
    }

    /// InvokeAction: the action runs in its own task and streams progress, then one
    /// completion. Terraform closing the stream (Ctrl-C) makes `report` return
    /// false; StopProvider reaches the action through the provider.
    pub(crate) fn invoke_action(
        &self,
        type_name: &str,
        config: Option<DynamicValue>,
    ) -> tokio::sync::mpsc::Receiver<ActionEvent> {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let fail = |tx: tokio::sync::mpsc::Sender<ActionEvent>, d: Diagnostics| {
            let _ = tx.try_send(ActionEvent::Completed(d));
        };
        let a = match self.action_of(type_name) {
            Ok(a) => a,
            Err(e) => {
                fail(tx, e.into());
                return rx;
            }
        };
        let config = match decode(config.as_ref(), &a.ty) {
            Ok(c) => c,
            Err(e) => {
                fail(tx, e.into());
                return rx;
            }
        };
        if !config.is_fully_known() {
            fail(
                tx,
                Diagnostic::error(
                    "Action configuration not known",
                    format!(
                        "Terraform invoked {type_name} with values it does not know yet. This is a bug in Terraform or the provider; please report it."
                    ),
                )
                .into(),
            );
            return rx;
        }
        let imp = a.imp.clone();
        tokio::spawn(async move {
            use futures_util::FutureExt;
            let mut progress = ActionProgress::new(tx.clone());
            let run =
                std::panic::AssertUnwindSafe(imp.invoke(config, &mut progress)).catch_unwind();
            let diagnostics = match run.await {
                Ok(d) => d,
                Err(p) => {
                    let text = p
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Diagnostic::error(
                        "The provider crashed while running an action",
                        format!(
                            "{}. This is a bug in the provider; please report it.",
                            crate::logging::redact(&text)
                        ),
                    )
                    .into()
                }
            };
            let _ = tx.send(ActionEvent::Completed(diagnostics)).await;
        });
        rx
    }
}
