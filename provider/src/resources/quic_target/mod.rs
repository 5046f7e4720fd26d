//! `trustchain_quic_target`: one target registered with an NLB target group, with
//! the QUIC server ID AWS requires for QUIC and TCP_QUIC groups (and refuses for
//! others). The group's protocol is checked at plan time once its ARN is known
//! (one DescribeTargetGroups, then kept in private state), else at apply.
//!
//! Frugal refresh: the targets of one group share one DescribeTargetHealth (every
//! registration of the group), kept for a few seconds; a change to a group's
//! targets drops its answer, and waiters always ask AWS.

mod aws;
mod list;
mod model;
mod plan;
mod schema;
mod validate;

pub use list::TargetList;

use crate::aws::{Clients, ProviderData, clients_or_return};
use async_trait::async_trait;
use aws::Targets;
use aws_sdk_elasticloadbalancingv2::types::TargetHealthDescription;
use model::{GroupInfo, TargetIdentity, TargetModel};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::limit;
use tfplugin::framework::{
    Applied, Create, Delete, Import, Operation, Plan, Read, Refreshed, Resource, Update,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath};
use tokio::sync::Mutex;

/// Registration shows within seconds; the limit covers AWS's slow days.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How long a group's registrations serve readers: one refresh of every target of a
/// configuration, and nothing stale beyond it.
const FRESH_FOR: Duration = Duration::from_secs(20);

type Slot = Arc<Mutex<Option<(Instant, Option<Vec<TargetHealthDescription>>)>>>;

pub struct QuicTarget {
    data: ProviderData,
    /// DescribeTargetHealth answers by target group ARN.
    health: Arc<Mutex<HashMap<String, Slot>>>,
}

impl QuicTarget {
    pub fn new(data: ProviderData) -> Self {
        Self {
            data,
            health: Arc::default(),
        }
    }

    /// A group's registrations as a refresh sees them (`None`: the group is gone);
    /// readers within `FRESH_FOR` of one answer share it, concurrent ones one call.
    async fn registrations(
        &self,
        t: &Targets<'_>,
        tg: &str,
    ) -> Result<Option<Vec<TargetHealthDescription>>, Diagnostics> {
        let slot = self
            .health
            .lock()
            .await
            .entry(tg.to_string())
            .or_default()
            .clone();
        let mut entry = slot.lock().await;
        if let Some((at, all)) = entry.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(all.clone());
        }
        let all = t.registrations(tg).await?;
        *entry = Some((Instant::now(), all.clone()));
        Ok(all)
    }

    /// Forgets a group's registrations: call after registering or deregistering.
    async fn changed(&self, tg: &str) {
        if let Some(slot) = self.health.lock().await.remove(tg) {
            *slot.lock().await = None;
        }
    }

    fn targets<'a>(&self, c: &'a Clients, limit: Duration, op: Operation) -> Targets<'a> {
        Targets {
            c,
            deadline: self.data.deadline(limit, op),
        }
    }
}

fn refused(info: &GroupInfo) -> Diagnostics {
    Diagnostic::error(
        "QUIC server ID on a non-QUIC target group",
        format!(
            "{} uses the {} protocol; AWS accepts a QUIC server ID only for QUIC and TCP_QUIC target groups. Remove quic_server_id.",
            info.target_group_arn, info.protocol
        ),
    )
    .at(AttributePath::root().attr("quic_server_id"))
    .into()
}

fn need<T: Clone>(a: &Attr<T>, what: &str) -> Result<T, Diagnostics> {
    a.known().cloned().ok_or_else(|| {
        Diagnostic::error(
            "Incomplete target plan",
            format!("{what} is not known at apply time. This is a bug in the provider; please report it."),
        )
        .into()
    })
}

/// The server ID to register: configured, derived for QUIC groups, none otherwise.
fn server_id_for(
    planned: &Attr<String>,
    info: &GroupInfo,
    id: &str,
    port: i64,
) -> Result<Option<String>, Diagnostics> {
    match planned {
        Attr::Known(_) if !info.is_quic() => Err(refused(info)),
        Attr::Known(s) => Ok(Some(s.clone())),
        Attr::Unknown if info.is_quic() => Ok(Some(model::derived_server_id(id, port))),
        Attr::Unknown => Ok(None),
        Attr::Null if info.is_quic() => Err(Diagnostic::error(
            "Target group became QUIC after the plan",
            format!(
                "{} is now {}; run terraform plan again so a QUIC server ID is planned.",
                info.target_group_arn, info.protocol
            ),
        )
        .into()),
        Attr::Null => Ok(None),
    }
}

impl QuicTarget {
    /// The group facts for apply: from the plan's private state, else from AWS.
    async fn group_for_apply(
        &self,
        t: &Targets<'_>,
        tg: &str,
        private: &[u8],
    ) -> Result<GroupInfo, Diagnostics> {
        if let Some(i) = GroupInfo::from_private(private, tg) {
            return Ok(i);
        }
        t.group(tg).await?.ok_or_else(|| {
            Diagnostic::error("Target group not found", format!("{tg} does not exist."))
                .at(AttributePath::root().attr("target_group_arn"))
                .into()
        })
    }
}

#[async_trait]
impl Resource for QuicTarget {
    type Model = TargetModel;
    type Identity = TargetIdentity;
    const TYPE_NAME: &'static str = model::TYPE_NAME;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        schema::identity_schema()
    }

    fn identity(&self, state: &TargetModel) -> Option<TargetIdentity> {
        state.identity()
    }

    async fn validate(&self, config: &TargetModel) -> Diagnostics {
        validate::check(config)
    }

    async fn modify_plan(&self, plan: &mut Plan<TargetModel>) {
        self.plan(plan).await;
    }

    async fn create(&self, req: Create<TargetModel>) -> Applied<TargetModel> {
        let mut m = req.planned;
        let clients = clients_or_return!(self.data, d => Applied::failed(None, d));
        let timeout = limit(m.timeouts.known(), Operation::Create, DEFAULT_TIMEOUT);
        let t = self.targets(&clients, timeout, Operation::Create);
        let result = async {
            let tg = need(&m.target_group_arn, "target_group_arn")?;
            let id = need(&m.target_id, "target_id")?;
            let info = self.group_for_apply(&t, &tg, &req.private).await?;
            let port = m.port.known().copied().unwrap_or(info.port);
            let server_id = server_id_for(&m.quic_server_id, &info, &id, port)?;
            t.register(
                &tg,
                &id,
                port,
                m.availability_zone.known().map(String::as_str),
                server_id.as_deref(),
            )
            .await?;
            self.changed(&tg).await;
            m.id = Attr::Known(model::id_of(&tg, &id, port));
            m.port = Attr::Known(port);
            m.quic_server_id = server_id.into();
            Ok::<_, Diagnostics>(info)
        }
        .await;
        match result {
            Ok(info) => Applied::ok(m).with_private(info.to_private()),
            Err(d) => Applied::failed(None, d),
        }
    }

    async fn read(&self, req: Read<TargetModel>) -> Refreshed<TargetModel> {
        let Some(key) = req.state.identity() else {
            return Refreshed::gone();
        };
        let clients =
            clients_or_return!(self.data, d => Refreshed::failed(req.state, req.private, d));
        let t = self.targets(&clients, DEFAULT_TIMEOUT, Operation::Read);
        let found = match self.registrations(&t, &key.target_group_arn).await {
            Ok(all) => match all.and_then(|all| aws::find(&all, &key.target_id, key.port)) {
                Some(r) => r,
                None => return Refreshed::gone(),
            },
            Err(d) => return Refreshed::failed(req.state, req.private, d),
        };
        let mut m = req.state;
        m.id = Attr::Known(model::id_of(
            &key.target_group_arn,
            &key.target_id,
            key.port,
        ));
        m.quic_server_id = found.quic_server_id.into();
        if m.availability_zone.is_known() {
            m.availability_zone = found.availability_zone.into();
        }
        // After an import the private state is empty: learn the group once.
        let mut private = req.private;
        if GroupInfo::from_private(&private, &key.target_group_arn).is_none()
            && let Ok(Some(info)) = t.group(&key.target_group_arn).await
        {
            private = info.to_private();
        }
        Refreshed::found(m, private)
    }

    async fn update(&self, req: Update<TargetModel>) -> Applied<TargetModel> {
        let mut m = req.planned;
        let prior = req.prior;
        let clients = clients_or_return!(self.data, d => Applied::failed(Some(prior), d));
        let timeout = limit(m.timeouts.known(), Operation::Update, DEFAULT_TIMEOUT);
        let t = self.targets(&clients, timeout, Operation::Update);
        let result = async {
            let tg = need(&m.target_group_arn, "target_group_arn")?;
            let id = need(&m.target_id, "target_id")?;
            let port = need(&m.port, "port")?;
            let info = self.group_for_apply(&t, &tg, &req.private).await?;
            let server_id = server_id_for(&m.quic_server_id, &info, &id, port)?;
            if server_id != prior.quic_server_id.known().cloned() {
                // AWS keeps a server ID while the target is registered.
                t.deregister(&tg, &id, port).await?;
                t.register(
                    &tg,
                    &id,
                    port,
                    m.availability_zone.known().map(String::as_str),
                    server_id.as_deref(),
                )
                .await?;
                self.changed(&tg).await;
            }
            m.quic_server_id = server_id.into();
            Ok::<_, Diagnostics>(info)
        }
        .await;
        match result {
            Ok(info) => Applied::ok(m).with_private(info.to_private()),
            Err(d) => Applied::failed(Some(prior), d),
        }
    }

    async fn delete(&self, req: Delete<TargetModel>) -> Diagnostics {
        let Some(key) = req.prior.identity() else {
            return Diagnostics::new();
        };
        let clients = clients_or_return!(self.data, d => d);
        self.changed(&key.target_group_arn).await;
        match self
            .targets(&clients, DEFAULT_TIMEOUT, Operation::Delete)
            .deregister(&key.target_group_arn, &key.target_id, key.port)
            .await
        {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn import(&self, req: Import<TargetIdentity>) -> DiagResult<TargetModel> {
        let key = match req {
            Import::Identity(i) => i,
            Import::Id(id) => model::parse_id(&id).ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid import id",
                    format!("{id:?} is not TARGET_GROUP_ARN/TARGET_ID/PORT; import with e.g. terraform import trustchain_quic_target.a arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq-8853-a1b2c3/0123456789abcdef/i-0123456789abcdef0/8853."),
                ))
            })?,
        };
        Ok(TargetModel {
            id: Attr::Known(model::id_of(
                &key.target_group_arn,
                &key.target_id,
                key.port,
            )),
            target_group_arn: Attr::Known(key.target_group_arn),
            target_id: Attr::Known(key.target_id),
            port: Attr::Known(key.port),
            availability_zone: Attr::Null,
            quic_server_id: Attr::Null,
            timeouts: Attr::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_every_attribute_of_the_schema() {
        tfplugin::framework::check_model::<TargetModel>(&schema::schema()).expect("complete model");
    }

    fn info(protocol: &str) -> GroupInfo {
        GroupInfo {
            target_group_arn: "arn:tg".into(),
            protocol: protocol.into(),
            port: 8853,
        }
    }

    #[test]
    fn quic_groups_get_a_server_id_and_others_refuse_one() {
        let derived = server_id_for(&Attr::Unknown, &info("QUIC"), "i-1", 8853).expect("ok");
        assert_eq!(derived, Some(model::derived_server_id("i-1", 8853)));
        assert_eq!(
            server_id_for(&Attr::Unknown, &info("UDP"), "i-1", 8853).expect("ok"),
            None
        );
        let given = Attr::Known("0x0123456789abcdef".to_string());
        let err = server_id_for(&given, &info("UDP"), "i-1", 8853).expect_err("refused");
        let d = err.iter().next().expect("diagnostic");
        assert_eq!(
            d.attribute,
            Some(AttributePath::root().attr("quic_server_id"))
        );
        assert!(d.detail.contains("Remove quic_server_id"), "{}", d.detail);
    }
}
