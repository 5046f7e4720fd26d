//! The load balancer itself: create, attributes, security groups, the network
//! (subnets, address type, source NAT), tags, waiting for it to be active, and
//! delete with its target groups.

use super::super::model::Desired;
use super::discovery::{Actual, Elb};
use crate::aws::retry::{Poll, wait_for, while_not_found};
use crate::aws::tags::{TagChanges, Tags, elb_tags};
use crate::aws::{code_of, failed, is_not_found};
use aws_sdk_elasticloadbalancingv2::types::{
    EnablePrefixForIpv6SourceNatEnum, IpAddressType, LoadBalancerAttribute, LoadBalancerSchemeEnum,
    LoadBalancerTypeEnum, SubnetMapping,
};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::diag::{Diagnostic, Diagnostics};

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

    pub async fn sync_attributes(&self, a: &Actual, d: &Desired) -> Result<(), Diagnostics> {
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
        // The load balancer may be moments old.
        while_not_found(&self.deadline, "ModifyLoadBalancerAttributes", || {
            self.c
                .elbv2
                .modify_load_balancer_attributes()
                .load_balancer_arn(&a.arn)
                .set_attributes(Some(changes.clone()))
                .send()
        })
        .await
        .map_err(failed("ELBv2", "ModifyLoadBalancerAttributes"))?;
        Ok(())
    }

    pub async fn sync_security_groups(&self, a: &Actual, d: &Desired) -> Result<(), Diagnostics> {
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
    pub async fn sync_network(&self, a: &Actual, d: &Desired) -> Result<(), Diagnostics> {
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

    /// Tags of the load balancer, and when they change, of its listeners and target
    /// groups too (`sub`: their ARNs).
    pub async fn sync_tags(
        &self,
        a: &Actual,
        d: &Desired,
        sub: &[String],
    ) -> Result<(), Diagnostics> {
        let ignore = &self.c.ignore_tags;
        let have: Tags = a
            .tags
            .iter()
            .filter(|(k, _)| !k.starts_with("aws:") && !ignore.matches(k))
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
            let c = TagChanges::between(tags, &d.tags_all, ignore);
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
