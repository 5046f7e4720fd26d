//! The list-resource RPCs (protocol 6.10): ValidateListResourceConfig and the
//! streaming ListResource, behind `crate::server`.

use super::{Framework, Registered, decode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::unknowns::null_elements;
use crate::provider::{ListEvent, ListRequest, ListSink, RawListResource, RawResource};
use crate::value::DynamicValue;

pub(crate) struct ListResourceRequest {
    pub type_name: String,
    pub config: Option<DynamicValue>,
    pub include_resource_object: bool,
    pub limit: i64,
}

/// A list resource and the managed resource whose objects it lists.
type ListedPair<'a> = (
    &'a Registered<dyn RawListResource>,
    &'a Registered<dyn RawResource>,
);

impl Framework {
    fn list_resource_of(&self, name: &str) -> Result<ListedPair<'_>, Diagnostic> {
        let list = self.list_resources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown list resource type",
                format!("This provider has no list resource type {name:?}."),
            )
        })?;
        let r = self.resource(name)?;
        if r.identity.is_none() {
            return Err(Diagnostic::error(
                "List resource without identity",
                format!(
                    "{name} has no resource identity schema, which Terraform needs to list it. This is a bug in the provider; please report it."
                ),
            ));
        }
        Ok((list, r))
    }

    pub(crate) async fn validate_list_resource_config(
        &self,
        type_name: &str,
        config: Option<DynamicValue>,
    ) -> Diagnostics {
        let (l, _) = match self.list_resource_of(type_name) {
            Ok(x) => x,
            Err(e) => return e.into(),
        };
        match decode(config.as_ref(), &l.ty) {
            Ok(config) => {
                let mut all = null_elements(&config);
                all.extend(l.imp.validate(&config).await);
                all
            }
            Err(e) => e.into(),
        }
    }

    /// ListResource: the list runs in its own task and streams events; Terraform
    /// reading no more (its limit, or Ctrl-C) closes the channel, which stops it.
    pub(crate) fn list_resource(
        &self,
        req: ListResourceRequest,
    ) -> tokio::sync::mpsc::Receiver<ListEvent> {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let fail = |tx: tokio::sync::mpsc::Sender<ListEvent>, d: Diagnostics| {
            let _ = tx.try_send(ListEvent {
                diagnostics: d,
                ..ListEvent::default()
            });
        };
        let (l, r) = match self.list_resource_of(&req.type_name) {
            Ok(x) => x,
            Err(e) => {
                fail(tx, e.into());
                return rx;
            }
        };
        let config = match decode(req.config.as_ref(), &l.ty) {
            Ok(c) => c,
            Err(e) => {
                fail(tx, e.into());
                return rx;
            }
        };
        let Some((_, identity_ty)) = &r.identity else {
            return rx;
        };
        if req.limit <= 0 {
            return rx;
        }
        let mut sink = ListSink::new(tx.clone(), req.limit, identity_ty.clone(), r.ty.clone());
        let imp = l.imp.clone();
        let list = ListRequest {
            config,
            include_resource_object: req.include_resource_object,
        };
        tokio::spawn(async move {
            use futures_util::FutureExt;
            let run = std::panic::AssertUnwindSafe(imp.list(list, &mut sink)).catch_unwind();
            if let Err(p) = run.await {
                let text = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let _ = tx
                    .send(ListEvent {
                        diagnostics: Diagnostic::error(
                            "The provider crashed while listing",
                            format!("{text}. This is a bug in the provider; please report it."),
                        )
                        .into(),
                        ..ListEvent::default()
                    })
                    .await;
            }
        });
        rx
    }
}
