//! Convergence, shared by create and update: it follows the plan's decisions
//! (the `listeners` map: a known ARN stays, an unknown one is new) in an order that
//! keeps AWS's rules true at every step: listeners that go or are made again are
//! deleted first (among them any QUIC listener a dualstack switch must lose, and
//! any listener whose targets change address family), then the network changes,
//! then target groups and listeners, and old target groups are deleted last.

use super::super::model::{
    DEFAULT_IDLE_TIMEOUT, Desired, HealthCheck, Listener, ListenerIds, target_group_name,
};
use super::discovery::{Actual, ActualGroup, ActualListener, Elb};
use crate::aws::retry::{Poll, wait_for, while_not_found};
use crate::aws::tags::elb_tags;
use crate::aws::{code_of, failed, is_not_found};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, ListenerAttribute, Matcher, ProtocolEnum,
    TargetGroupAttribute, TargetGroupIpAddressTypeEnum, TargetTypeEnum,
};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::diag::{Diagnostic, Diagnostics};

fn forward(tg: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(tg)
        .build()
}

/// Which of the listener ARNs the plan keeps, by port.
fn kept_arn(plan: &BTreeMap<String, ListenerIds>, port: i64) -> Option<&String> {
    plan.get(&port.to_string()).and_then(|i| i.arn.known())
}

impl Elb<'_> {
    /// Makes the load balancer `a` what `d` describes, keeping the ARNs `plan` keeps.
    /// `prior_groups` are target groups the prior state knew (deleted when unused).
    pub async fn converge(
        &self,
        a: &Actual,
        d: &Desired,
        plan: &BTreeMap<String, ListenerIds>,
        prior_groups: &[String],
    ) -> Result<(), Diagnostics> {
        self.sync_attributes(a, d).await?;
        self.sync_security_groups(a, d).await?;
        for (port, l) in &a.listeners {
            let wanted = d.listeners.iter().any(|x| x.port == *port);
            if !wanted || kept_arn(plan, *port) != Some(&l.arn) {
                self.delete_listener(&l.arn).await?;
            }
        }
        // What is left forwards to groups whose address family stays (a listener
        // whose targets change family is made again), so the network can move now.
        self.sync_network(a, d).await?;
        let mut used = BTreeSet::new();
        for l in &d.listeners {
            let ids = plan.get(&l.port.to_string());
            let (tg, new) = match ids.and_then(|i| i.target_group_arn.known()) {
                Some(tg) => {
                    self.sync_group(tg, l, a.groups.get(tg)).await?;
                    (tg.clone(), false)
                }
                None => (self.create_group(a, d, l).await?, true),
            };
            used.insert(tg.clone());
            let done = match kept_arn(plan, l.port) {
                Some(arn) => {
                    self.modify_listener(arn, l, &tg, a.listeners.get(&l.port))
                        .await
                }
                None => self.create_listener(&a.arn, d, l, &tg).await.map(drop),
            };
            if let Err(e) = done {
                // A group nothing forwards to would be left behind.
                if new {
                    let _ = self
                        .c
                        .elbv2
                        .delete_target_group()
                        .target_group_arn(&tg)
                        .send()
                        .await;
                }
                return Err(e);
            }
        }
        let stale: BTreeSet<&String> = a
            .groups
            .keys()
            .chain(prior_groups)
            .filter(|g| !used.contains(*g))
            .collect();
        for g in stale {
            self.delete_group(g).await?;
        }
        let mut sub: Vec<String> = used.into_iter().collect();
        sub.extend(
            d.listeners
                .iter()
                .filter_map(|l| kept_arn(plan, l.port).cloned()),
        );
        self.sync_tags(a, d, &sub).await
    }

    async fn create_group(
        &self,
        a: &Actual,
        d: &Desired,
        l: &Listener,
    ) -> Result<String, Diagnostics> {
        let t = &l.target;
        let hc = &l.health;
        let out = self
            .c
            .elbv2
            .create_target_group()
            .name(target_group_name(&d.name, l.port, t))
            .protocol(ProtocolEnum::from(t.protocol.as_str()))
            .port(t.port as i32)
            .vpc_id(&a.vpc_id)
            .target_type(TargetTypeEnum::from(t.target_type.as_str()))
            .ip_address_type(TargetGroupIpAddressTypeEnum::from(t.ip_type.as_str()))
            .health_check_enabled(true)
            .health_check_protocol(ProtocolEnum::from(hc.protocol.as_str()))
            .health_check_port(&hc.port)
            .set_health_check_path(hc.path.clone().filter(|_| hc.is_http()))
            .set_matcher(matcher(hc))
            .health_check_interval_seconds(hc.interval as i32)
            .health_check_timeout_seconds(hc.timeout as i32)
            .healthy_threshold_count(hc.healthy as i32)
            .unhealthy_threshold_count(hc.unhealthy as i32)
            .set_tags(elb_tags(&d.tags_all))
            .send()
            .await
            .map_err(failed("ELBv2", "CreateTargetGroup"))?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|g| g.target_group_arn())
            .map(String::from)
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "AWS ELBv2 CreateTargetGroup returned no target group",
                    "The answer named no ARN; run terraform apply again.",
                ))
            })?;
        let defaults = (300, t.protocol.default_connection_termination());
        if (l.deregistration_delay, l.connection_termination) != defaults {
            self.group_attributes(&arn, l).await?;
        }
        Ok(arn)
    }

    async fn group_attributes(&self, arn: &str, l: &Listener) -> Result<(), Diagnostics> {
        // The target group may be moments old.
        while_not_found(&self.deadline, "ModifyTargetGroupAttributes", || {
            self.c
                .elbv2
                .modify_target_group_attributes()
                .target_group_arn(arn)
                .attributes(
                    TargetGroupAttribute::builder()
                        .key("deregistration_delay.timeout_seconds")
                        .value(l.deregistration_delay.to_string())
                        .build(),
                )
                .attributes(
                    TargetGroupAttribute::builder()
                        .key("deregistration_delay.connection_termination.enabled")
                        .value(l.connection_termination.to_string())
                        .build(),
                )
                .send()
        })
        .await
        .map_err(failed("ELBv2", "ModifyTargetGroupAttributes"))?;
        Ok(())
    }

    /// Health check (ModifyTargetGroup) and attributes of a group that stays.
    async fn sync_group(
        &self,
        arn: &str,
        l: &Listener,
        have: Option<&ActualGroup>,
    ) -> Result<(), Diagnostics> {
        let hc = &l.health;
        if have.is_none_or(|g| &g.health != hc) {
            self.c
                .elbv2
                .modify_target_group()
                .target_group_arn(arn)
                .health_check_enabled(true)
                .health_check_protocol(ProtocolEnum::from(hc.protocol.as_str()))
                .health_check_port(&hc.port)
                .set_health_check_path(hc.path.clone().filter(|_| hc.is_http()))
                .set_matcher(matcher(hc))
                .health_check_interval_seconds(hc.interval as i32)
                .health_check_timeout_seconds(hc.timeout as i32)
                .healthy_threshold_count(hc.healthy as i32)
                .unhealthy_threshold_count(hc.unhealthy as i32)
                .send()
                .await
                .map_err(failed("ELBv2", "ModifyTargetGroup"))?;
        }
        if have.is_none_or(|g| {
            (g.deregistration_delay, g.connection_termination)
                != (l.deregistration_delay, l.connection_termination)
        }) {
            self.group_attributes(arn, l).await?;
        }
        Ok(())
    }

    async fn create_listener(
        &self,
        lb: &str,
        d: &Desired,
        l: &Listener,
        tg: &str,
    ) -> Result<String, Diagnostics> {
        // The load balancer and the target group may be moments old.
        let out = while_not_found(&self.deadline, "CreateListener", || {
            self.c
                .elbv2
                .create_listener()
                .load_balancer_arn(lb)
                .protocol(ProtocolEnum::from(l.protocol.as_str()))
                .port(l.port as i32)
                .set_certificates(certificates(l))
                .set_ssl_policy(l.ssl_policy.clone())
                .default_actions(forward(tg))
                .set_tags(elb_tags(&d.tags_all))
                .send()
        })
        .await
        .map_err(failed("ELBv2", "CreateListener"))?;
        let arn = out
            .listeners()
            .first()
            .and_then(|x| x.listener_arn())
            .map(String::from)
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "AWS ELBv2 CreateListener returned no listener",
                    "The answer named no ARN; run terraform apply again.",
                ))
            })?;
        self.sync_idle_timeout(&arn, l, None).await?;
        Ok(arn)
    }

    async fn modify_listener(
        &self,
        arn: &str,
        l: &Listener,
        tg: &str,
        have: Option<&ActualListener>,
    ) -> Result<(), Diagnostics> {
        let same = have.is_some_and(|h| {
            h.protocol == l.protocol.as_str()
                && h.target_group_arn.as_deref() == Some(tg)
                && h.certificate_arn == l.certificate_arn
                && h.ssl_policy == l.ssl_policy
        });
        if !same {
            self.c
                .elbv2
                .modify_listener()
                .listener_arn(arn)
                .protocol(ProtocolEnum::from(l.protocol.as_str()))
                .port(l.port as i32)
                .set_certificates(certificates(l))
                .set_ssl_policy(l.ssl_policy.clone())
                .default_actions(forward(tg))
                .send()
                .await
                .map_err(failed("ELBv2", "ModifyListener"))?;
        }
        let before = have.filter(|h| h.protocol == l.protocol.as_str());
        self.sync_idle_timeout(arn, l, before.and_then(|h| h.idle_timeout))
            .await
    }

    async fn sync_idle_timeout(
        &self,
        arn: &str,
        l: &Listener,
        have: Option<i64>,
    ) -> Result<(), Diagnostics> {
        let Some(want) = l.idle_timeout.filter(|_| l.protocol.has_idle_timeout()) else {
            return Ok(());
        };
        if have.unwrap_or(DEFAULT_IDLE_TIMEOUT) == want {
            return Ok(());
        }
        self.c
            .elbv2
            .modify_listener_attributes()
            .listener_arn(arn)
            .attributes(
                ListenerAttribute::builder()
                    .key("tcp.idle_timeout.seconds")
                    .value(want.to_string())
                    .build(),
            )
            .send()
            .await
            .map_err(failed("ELBv2", "ModifyListenerAttributes"))?;
        Ok(())
    }

    async fn delete_listener(&self, arn: &str) -> Result<(), Diagnostics> {
        match self
            .c
            .elbv2
            .delete_listener()
            .listener_arn(arn)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(code_of(&e)) => Ok(()),
            Err(e) => Err(failed("ELBv2", "DeleteListener")(e)),
        }
    }

    /// Deletes a target group, waiting while AWS still counts it in use (a listener
    /// or load balancer that is going away).
    pub async fn delete_group(&self, arn: &str) -> Result<(), Diagnostics> {
        let elb = &self.c.elbv2;
        wait_for(
            &self.deadline,
            &format!("target group {arn} to be deleted"),
            || async {
                match elb.delete_target_group().target_group_arn(arn).send().await {
                    Ok(_) => Poll::Done(()),
                    Err(e) if is_not_found(code_of(&e)) => Poll::Done(()),
                    Err(e) if code_of(&e) == "ResourceInUse" => Poll::Retry("ResourceInUse".into()),
                    Err(e) => Poll::Fail(failed("ELBv2", "DeleteTargetGroup")(e)),
                }
            },
        )
        .await
    }
}

fn matcher(hc: &HealthCheck) -> Option<Matcher> {
    hc.matcher
        .as_ref()
        .filter(|_| hc.is_http())
        .map(|m| Matcher::builder().http_code(m).build())
}

fn certificates(l: &Listener) -> Option<Vec<Certificate>> {
    l.certificate_arn
        .as_ref()
        .map(|c| vec![Certificate::builder().certificate_arn(c).build()])
}
