//! Create, converge and delete. Create and update share `converge`, which follows
//! the plan's decisions (the `listeners` map: a known ARN stays, an unknown one is
//! new) in an order that keeps AWS's rules true at every step: listeners that go
//! are deleted first (they may be the QUIC listener a dualstack switch must lose),
//! the network moves to dualstack before UDP listeners need it and to ipv4 only
//! after IPv6 target groups are gone, and old target groups are deleted last.

use super::discovery::{Actual, ActualGroup, ActualListener, Elb};
use super::model::{
    DEFAULT_IDLE_TIMEOUT, Desired, HealthCheck, Listener, ListenerIds, target_group_name,
};
use crate::aws::retry::{Poll, wait_for};
use crate::aws::tags::{TagChanges, Tags};
use crate::aws::{code_of, failed, is_not_found};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, EnablePrefixForIpv6SourceNatEnum, IpAddressType,
    ListenerAttribute, LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerTypeEnum,
    Matcher, ProtocolEnum, SubnetMapping, Tag, TargetGroupAttribute, TargetGroupIpAddressTypeEnum,
    TargetTypeEnum,
};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::diag::{Diagnostic, Diagnostics};

fn elb_tags(t: &Tags) -> Option<Vec<Tag>> {
    (!t.is_empty()).then(|| {
        t.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect()
    })
}

fn mappings(d: &Desired) -> Vec<SubnetMapping> {
    d.subnets
        .iter()
        .map(|m| {
            SubnetMapping::builder()
                .subnet_id(&m.subnet_id)
                .set_allocation_id(m.allocation_id.clone())
                .set_private_ipv4_address(m.private_ipv4_address.clone())
                .set_ipv6_address(m.ipv6_address.clone())
                .set_source_nat_ipv6_prefix(m.source_nat_ipv6_prefix.clone())
                .build()
        })
        .collect()
}

fn on_off(b: bool) -> EnablePrefixForIpv6SourceNatEnum {
    if b {
        EnablePrefixForIpv6SourceNatEnum::On
    } else {
        EnablePrefixForIpv6SourceNatEnum::Off
    }
}

fn forward(tg: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(tg)
        .build()
}

/// Which of the listener ARNs the plan keeps, by port.
fn kept_arn<'a>(plan: &'a BTreeMap<String, ListenerIds>, port: i64) -> Option<&'a String> {
    plan.get(&port.to_string()).and_then(|i| i.arn.known())
}

impl Elb<'_> {
    pub async fn create_load_balancer(&self, d: &Desired) -> Result<String, Diagnostics> {
        let mut req = self
            .c
            .elbv2
            .create_load_balancer()
            .name(&d.name)
            .r#type(LoadBalancerTypeEnum::Network)
            .scheme(if d.internal {
                LoadBalancerSchemeEnum::Internal
            } else {
                LoadBalancerSchemeEnum::InternetFacing
            })
            .ip_address_type(IpAddressType::from(d.ip_type.as_str()))
            .set_tags(elb_tags(&d.tags_all));
        if d.source_nat {
            req = req.enable_prefix_for_ipv6_source_nat(on_off(true));
        }
        if !d.security_groups.is_empty() {
            req = req.set_security_groups(Some(d.security_groups.clone()));
        }
        req = if d.mapped {
            req.set_subnet_mappings(Some(mappings(d)))
        } else {
            req.set_subnets(Some(
                d.subnets.iter().map(|m| m.subnet_id.clone()).collect(),
            ))
        };
        let out = req
            .send()
            .await
            .map_err(failed("ELBv2", "CreateLoadBalancer"))?;
        out.load_balancers()
            .first()
            .and_then(|l| l.load_balancer_arn())
            .map(String::from)
            .ok_or_else(|| {
                Diagnostic::error(
                    "AWS ELBv2 CreateLoadBalancer returned no load balancer",
                    "The answer named no ARN; run terraform apply again.",
                )
                .into()
            })
    }

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
        let to_ipv4 = d.ip_type == "ipv4" && a.ip_type != "ipv4";
        if !to_ipv4 {
            self.sync_network(a, d).await?;
        }
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
        if to_ipv4 {
            self.sync_network(a, d).await?;
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

    async fn sync_attributes(&self, a: &Actual, d: &Desired) -> Result<(), Diagnostics> {
        let mut changes = Vec::new();
        for (key, want) in [
            ("deletion_protection.enabled", d.deletion_protection),
            ("load_balancing.cross_zone.enabled", d.cross_zone),
        ] {
            if a.attribute_is_true(key) != want {
                changes.push(
                    LoadBalancerAttribute::builder()
                        .key(key)
                        .value(want.to_string())
                        .build(),
                );
            }
        }
        if changes.is_empty() {
            return Ok(());
        }
        self.c
            .elbv2
            .modify_load_balancer_attributes()
            .load_balancer_arn(&a.arn)
            .set_attributes(Some(changes))
            .send()
            .await
            .map_err(failed("ELBv2", "ModifyLoadBalancerAttributes"))?;
        Ok(())
    }

    async fn sync_security_groups(&self, a: &Actual, d: &Desired) -> Result<(), Diagnostics> {
        let have: BTreeSet<&String> = a.security_groups.iter().collect();
        let want: BTreeSet<&String> = d.security_groups.iter().collect();
        if have == want {
            return Ok(());
        }
        self.c
            .elbv2
            .set_security_groups()
            .load_balancer_arn(&a.arn)
            .set_security_groups(Some(d.security_groups.clone()))
            .send()
            .await
            .map_err(failed("ELBv2", "SetSecurityGroups"))?;
        Ok(())
    }

    /// Subnets, address type and the source-NAT switch: SetSubnets when subnets or
    /// source NAT change (it takes the address type too), SetIpAddressType otherwise.
    async fn sync_network(&self, a: &Actual, d: &Desired) -> Result<(), Diagnostics> {
        let have: BTreeSet<&str> = a.zones.iter().map(|z| z.subnet_id.as_str()).collect();
        let want: BTreeSet<&str> = d.subnets.iter().map(|m| m.subnet_id.as_str()).collect();
        let prefix_moved = d.subnets.iter().any(|m| match &m.source_nat_ipv6_prefix {
            Some(p) if p != "auto_assigned" => !a
                .zones
                .iter()
                .any(|z| z.subnet_id == m.subnet_id && z.source_nat_prefix.as_ref() == Some(p)),
            _ => false,
        });
        let nat_changed = a.source_nat != d.source_nat;
        let ip_changed = a.ip_type != d.ip_type;
        if have == want && !nat_changed && !prefix_moved {
            if ip_changed {
                self.c
                    .elbv2
                    .set_ip_address_type()
                    .load_balancer_arn(&a.arn)
                    .ip_address_type(IpAddressType::from(d.ip_type.as_str()))
                    .send()
                    .await
                    .map_err(failed("ELBv2", "SetIpAddressType"))?;
            }
            return Ok(());
        }
        // AWS changes the subnet of a zone only as two actions: remove, then add.
        let swapped = self.swapped_zones(a, &want).await?;
        if !swapped.is_empty() {
            let first: Vec<SubnetMapping> = mappings(d)
                .into_iter()
                .filter(|m| !m.subnet_id().is_some_and(|s| swapped.contains(s)))
                .collect();
            if first.is_empty() {
                return Err(Diagnostic::error(
                    "Cannot swap every subnet at once",
                    "AWS changes the subnet of an availability zone in two steps (remove, then add), and the load balancer must keep one zone meanwhile: change the subnets of some zones in one apply and the rest in the next.",
                )
                .into());
            }
            self.set_subnets(a, d, first, nat_changed).await?;
        }
        self.set_subnets(a, d, mappings(d), nat_changed).await
    }

    /// New subnets that take over a zone from a subnet being removed.
    async fn swapped_zones(
        &self,
        a: &Actual,
        want: &BTreeSet<&str>,
    ) -> Result<BTreeSet<String>, Diagnostics> {
        let new: Vec<String> = want
            .iter()
            .filter(|s| !a.zones.iter().any(|z| z.subnet_id == **s))
            .map(|s| s.to_string())
            .collect();
        if new.is_empty() || a.zones.iter().all(|z| want.contains(z.subnet_id.as_str())) {
            return Ok(BTreeSet::new());
        }
        let out = self
            .c
            .ec2
            .describe_subnets()
            .set_subnet_ids(Some(new))
            .send()
            .await
            .map_err(failed("EC2", "DescribeSubnets"))?;
        Ok(out
            .subnets()
            .iter()
            .filter(|s| {
                a.zones.iter().any(|z| {
                    Some(z.name.as_str()) == s.availability_zone()
                        && !want.contains(z.subnet_id.as_str())
                })
            })
            .filter_map(|s| s.subnet_id().map(String::from))
            .collect())
    }

    async fn set_subnets(
        &self,
        a: &Actual,
        d: &Desired,
        subnets: Vec<SubnetMapping>,
        nat_changed: bool,
    ) -> Result<(), Diagnostics> {
        let mut req = self
            .c
            .elbv2
            .set_subnets()
            .load_balancer_arn(&a.arn)
            .ip_address_type(IpAddressType::from(d.ip_type.as_str()));
        if d.ip_type == "dualstack" || nat_changed {
            req = req.enable_prefix_for_ipv6_source_nat(on_off(d.source_nat));
        }
        req = if d.mapped {
            req.set_subnet_mappings(Some(subnets))
        } else {
            req.set_subnets(Some(
                subnets
                    .iter()
                    .filter_map(|m| m.subnet_id().map(String::from))
                    .collect(),
            ))
        };
        req.send().await.map_err(failed("ELBv2", "SetSubnets"))?;
        Ok(())
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
        let out = self
            .c
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

    /// Tags of the load balancer, and when they change, of its listeners and target
    /// groups too (`sub`: their ARNs).
    async fn sync_tags(&self, a: &Actual, d: &Desired, sub: &[String]) -> Result<(), Diagnostics> {
        let have: Tags = a
            .tags
            .iter()
            .filter(|(k, _)| !k.starts_with("aws:"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if have == d.tags_all {
            return Ok(());
        }
        let mut current: BTreeMap<String, Tags> = BTreeMap::new();
        current.insert(a.arn.clone(), a.tags.clone());
        for chunk in sub.chunks(20) {
            let out = self
                .c
                .elbv2
                .describe_tags()
                .set_resource_arns(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(failed("ELBv2", "DescribeTags"))?;
            for t in out.tag_descriptions() {
                let tags = t
                    .tags()
                    .iter()
                    .filter_map(|x| {
                        Some((
                            x.key()?.to_string(),
                            x.value().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect();
                current.insert(t.resource_arn().unwrap_or_default().to_string(), tags);
            }
        }
        for (arn, tags) in &current {
            let c = TagChanges::between(tags, &d.tags_all);
            if !c.remove.is_empty() {
                self.c
                    .elbv2
                    .remove_tags()
                    .resource_arns(arn)
                    .set_tag_keys(Some(c.remove.clone()))
                    .send()
                    .await
                    .map_err(failed("ELBv2", "RemoveTags"))?;
            }
            if let Some(set) = elb_tags(&c.set) {
                self.c
                    .elbv2
                    .add_tags()
                    .resource_arns(arn)
                    .set_tags(Some(set))
                    .send()
                    .await
                    .map_err(failed("ELBv2", "AddTags"))?;
            }
        }
        Ok(())
    }

    /// Waits until a new load balancer is active (AWS provisions for minutes).
    pub async fn wait_active(&self, arn: &str) -> Result<(), Diagnostics> {
        let elb = &self.c.elbv2;
        wait_for(&self.deadline, &format!("load balancer {arn} to be active"), || async {
            match elb.describe_load_balancers().load_balancer_arns(arn).send().await {
                Ok(o) => {
                    let state = o
                        .load_balancers()
                        .first()
                        .and_then(|l| l.state())
                        .and_then(|s| s.code())
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default();
                    match state.as_str() {
                        "active" => Poll::Done(()),
                        "failed" => Poll::Fail(
                            Diagnostic::error(
                                "Load balancer failed to provision",
                                format!("AWS reports {arn} as failed; check the subnets' free addresses and the account's quotas, then taint and apply again."),
                            )
                            .into(),
                        ),
                        other => Poll::Retry(format!("state {other}")),
                    }
                }
                Err(e) if is_not_found(code_of(&e)) => Poll::Retry("not visible yet".into()),
                Err(e) => Poll::Fail(failed("ELBv2", "DescribeLoadBalancers")(e)),
            }
        })
        .await
    }

    /// Deletes the load balancer (with its listeners), then its target groups.
    pub async fn delete_all(&self, arn: &str, known_groups: &[String]) -> Result<(), Diagnostics> {
        let groups: BTreeSet<String> = match self.discover(arn, known_groups).await? {
            Some(a) => a.groups.into_keys().collect(),
            None => known_groups.iter().cloned().collect(),
        };
        let elb = &self.c.elbv2;
        match elb
            .delete_load_balancer()
            .load_balancer_arn(arn)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if is_not_found(code_of(&e)) => {}
            Err(e) if code_of(&e) == "OperationNotPermitted" => {
                return Err(Diagnostic::error(
                    "Load balancer is protected from deletion",
                    format!("AWS refused to delete {arn}: deletion protection is on. Set enable_deletion_protection = false, run terraform apply, then destroy again."),
                )
                .into());
            }
            Err(e) => return Err(failed("ELBv2", "DeleteLoadBalancer")(e)),
        }
        wait_for(
            &self.deadline,
            &format!("load balancer {arn} to be deleted"),
            || async {
                match elb
                    .describe_load_balancers()
                    .load_balancer_arns(arn)
                    .send()
                    .await
                {
                    Ok(o) if o.load_balancers().is_empty() => Poll::Done(()),
                    Ok(_) => Poll::Retry("still listed".into()),
                    Err(e) if is_not_found(code_of(&e)) => Poll::Done(()),
                    Err(e) => Poll::Fail(failed("ELBv2", "DescribeLoadBalancers")(e)),
                }
            },
        )
        .await?;
        for g in &groups {
            self.delete_group(g).await?;
        }
        Ok(())
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
