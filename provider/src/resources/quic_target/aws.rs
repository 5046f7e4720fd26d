//! ELBv2 calls of one target: its group's protocol, register (and wait until AWS
//! shows it), describe, deregister.

use super::model::GroupInfo;
use crate::aws::retry::{Poll, wait_for};
use crate::aws::{Clients, Deadline, code_of, failed, is_not_found};
use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthDescription};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::value::AttributePath;

/// One registration as AWS shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Registered {
    pub quic_server_id: Option<String>,
    pub availability_zone: Option<String>,
}

pub struct Targets<'a> {
    pub c: &'a Clients,
    pub deadline: Deadline,
}

fn description(id: &str, port: i64) -> TargetDescription {
    TargetDescription::builder()
        .id(id)
        .port(port as i32)
        .build()
}

/// A registration in a DescribeTargetHealth answer, unless AWS says it is not (or
/// no longer) registered.
fn registered(d: &TargetHealthDescription, id: &str, port: i64) -> Option<Registered> {
    let t = d.target()?;
    if t.id() != Some(id) || t.port().map(i64::from) != Some(port) {
        return None;
    }
    let health = d.target_health();
    let state = health.and_then(|h| h.state()).map(|s| s.as_str());
    let reason = health.and_then(|h| h.reason()).map(|r| r.as_str());
    if state == Some("draining") || reason == Some("Target.NotRegistered") {
        return None;
    }
    Some(Registered {
        quic_server_id: t.quic_server_id().map(String::from),
        availability_zone: t.availability_zone().map(String::from),
    })
}

/// Every registration of a group's DescribeTargetHealth answer: target id, port and
/// what AWS shows (draining and unregistered targets left out).
pub fn all_registered(all: &[TargetHealthDescription]) -> Vec<(String, i64, Registered)> {
    all.iter()
        .filter_map(|d| {
            let t = d.target()?;
            let (id, port) = (t.id()?, i64::from(t.port()?));
            registered(d, id, port).map(|r| (id.to_string(), port, r))
        })
        .collect()
}

/// The registration of `id` on `port` among a group's registrations.
pub fn find(all: &[TargetHealthDescription], id: &str, port: i64) -> Option<Registered> {
    all.iter().find_map(|d| registered(d, id, port))
}

impl Targets<'_> {
    /// The target group's protocol and port; `None` when it does not exist.
    pub async fn group(&self, arn: &str) -> Result<Option<GroupInfo>, Diagnostics> {
        match self
            .c
            .elbv2
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await
        {
            Ok(o) => Ok(o.target_groups().first().map(|g| GroupInfo {
                target_group_arn: arn.to_string(),
                protocol: g
                    .protocol()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                port: i64::from(g.port().unwrap_or_default()),
            })),
            Err(e) if is_not_found(code_of(&e)) => Ok(None),
            Err(e) => Err(failed("ELBv2", "DescribeTargetGroups")(e)),
        }
    }

    /// The registration of `id` on `port`; `Ok(None)` when it (or its group) is gone.
    pub async fn describe(
        &self,
        tg: &str,
        id: &str,
        port: i64,
    ) -> Result<Option<Registered>, Diagnostics> {
        match self
            .c
            .elbv2
            .describe_target_health()
            .target_group_arn(tg)
            .targets(description(id, port))
            .send()
            .await
        {
            Ok(o) => Ok(o
                .target_health_descriptions()
                .iter()
                .find_map(|d| registered(d, id, port))),
            Err(e) if is_not_found(code_of(&e)) => Ok(None),
            Err(e) => Err(failed("ELBv2", "DescribeTargetHealth")(e)),
        }
    }

    /// Every registration of a target group (one DescribeTargetHealth without a
    /// target list); `Ok(None)` when the group is gone.
    pub async fn registrations(
        &self,
        tg: &str,
    ) -> Result<Option<Vec<TargetHealthDescription>>, Diagnostics> {
        match self
            .c
            .elbv2
            .describe_target_health()
            .target_group_arn(tg)
            .send()
            .await
        {
            Ok(o) => Ok(Some(o.target_health_descriptions().to_vec())),
            Err(e) if is_not_found(code_of(&e)) => Ok(None),
            Err(e) => Err(failed("ELBv2", "DescribeTargetHealth")(e)),
        }
    }

    /// Registers and waits until AWS lists the target as registered.
    pub async fn register(
        &self,
        tg: &str,
        id: &str,
        port: i64,
        zone: Option<&str>,
        server_id: Option<&str>,
    ) -> Result<Registered, Diagnostics> {
        let target = TargetDescription::builder()
            .id(id)
            .port(port as i32)
            .set_availability_zone(zone.map(String::from))
            .set_quic_server_id(server_id.map(String::from))
            .build();
        if let Err(e) = self
            .c
            .elbv2
            .register_targets()
            .target_group_arn(tg)
            .targets(target)
            .send()
            .await
        {
            let message = e.as_service_error().and_then(|s| {
                use aws_smithy_types::error::metadata::ProvideErrorMetadata;
                s.message().map(String::from)
            });
            let about_server_id = message
                .as_deref()
                .is_some_and(|m| m.contains("QuicServerId"));
            if about_server_id {
                return Err(Diagnostic::error(
                    "AWS refused the QUIC server ID",
                    format!(
                        "{}: {}. Set quic_server_id to an ID no other target behind this listener uses (0x + 16 lowercase hex digits), or leave it out to derive one.",
                        code_of(&e),
                        message.unwrap_or_default()
                    ),
                )
                .at(AttributePath::root().attr("quic_server_id"))
                .into());
            }
            return Err(failed("ELBv2", "RegisterTargets")(e));
        }
        let what = format!("target {id}:{port} to be registered with {tg}");
        wait_for(&self.deadline, &what, || async {
            match self.describe(tg, id, port).await {
                Ok(Some(r)) => Poll::Done(r),
                Ok(None) => Poll::Retry("not registered yet".into()),
                Err(d) => Poll::Fail(d),
            }
        })
        .await
    }

    /// Deregisters; a target or group already gone is not an error. AWS drains the
    /// target for the group's deregistration delay; this does not wait for that.
    pub async fn deregister(&self, tg: &str, id: &str, port: i64) -> Result<(), Diagnostics> {
        match self
            .c
            .elbv2
            .deregister_targets()
            .target_group_arn(tg)
            .targets(description(id, port))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(code_of(&e)) || code_of(&e) == "InvalidTarget" => Ok(()),
            Err(e) => Err(failed("ELBv2", "DeregisterTargets")(e)),
        }
    }
}
