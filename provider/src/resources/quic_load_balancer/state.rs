//! The state from what exists in AWS: a refreshed copy of the prior state, plan or
//! import skeleton. Listeners keep the template's order (a configuration's order);
//! listeners AWS has beyond it follow by port, so the plan removes them.

use super::aws::discovery::{Actual, ActualGroup, ActualListener};
use super::model::{
    DEFAULT_IDLE_TIMEOUT, ListenerIds, ListenerModel, LoadBalancerModel, Protocol,
    SubnetMappingModel,
};
use crate::aws::tags::{self, Tags};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::value::Attr;

/// Keys AWS or other tools own, never the resource's tags.
fn own_keys(t: &Tags) -> Tags {
    t.iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub fn listener_of(l: &ActualListener, g: Option<&ActualGroup>) -> ListenerModel {
    let protocol = Protocol::parse(&l.protocol);
    let tls = protocol == Some(Protocol::Tls);
    ListenerModel {
        port: Attr::Known(l.port),
        protocol: Attr::Known(l.protocol.clone()),
        certificate_arn: l.certificate_arn.clone().filter(|_| tls).into(),
        ssl_policy: l.ssl_policy.clone().filter(|_| tls).into(),
        target_type: g.map(|g| g.target_type.clone()).into(),
        target_port: g.map(|g| g.port).into(),
        target_ip_address_type: g.map(|g| g.ip_type.clone()).into(),
        deregistration_delay: g.map(|g| g.deregistration_delay).into(),
        connection_termination: g.map(|g| g.connection_termination).into(),
        idle_timeout: if protocol.is_some_and(Protocol::has_idle_timeout) {
            Attr::Known(l.idle_timeout.unwrap_or(DEFAULT_IDLE_TIMEOUT))
        } else {
            Attr::Null
        },
        health_check: g.map(|g| g.health.to_model()).into(),
    }
}

/// Port -> target group ARN the state knows, for discovery.
pub fn known_groups(m: &LoadBalancerModel) -> Vec<String> {
    m.listeners
        .known()
        .into_iter()
        .flatten()
        .filter_map(|(_, ids)| ids.target_group_arn.known().cloned())
        .collect()
}

/// The state for `template` refreshed from what exists in AWS.
pub fn state_of(
    a: &Actual,
    template: &LoadBalancerModel,
    clients: &crate::aws::Clients,
) -> LoadBalancerModel {
    let mut m = template.clone();
    m.id = Attr::Known(a.arn.clone());
    m.arn = Attr::Known(a.arn.clone());
    m.name = Attr::Known(a.name.clone());
    m.internal = Attr::Known(a.internal);
    m.dns_name = Attr::Known(a.dns_name.clone());
    m.zone_id = Attr::Known(a.zone_id.clone());
    m.vpc_id = Attr::Known(a.vpc_id.clone());
    m.ip_address_type = Attr::Known(a.ip_type.clone());
    m.enable_prefix_for_ipv6_source_nat = Attr::Known(a.source_nat);
    m.enable_cross_zone_load_balancing =
        Attr::Known(a.attribute_is_true("load_balancing.cross_zone.enabled"));
    m.enable_deletion_protection = Attr::Known(a.attribute_is_true("deletion_protection.enabled"));
    m.security_groups = if a.security_groups.is_empty() && !template.security_groups.is_known() {
        Attr::Null
    } else {
        Attr::Known(a.security_groups.iter().cloned().map(Attr::Known).collect())
    };
    let tags_all = clients.ignore_tags.filter(&own_keys(&a.tags));
    m.tags = tags::own(&tags_all, &clients.default_tags, template.tags.known()).into();
    m.tags_all = Attr::Known(tags_all);
    subnets_of(a, template, &mut m);
    m.source_nat_ipv6_prefixes = Attr::Known(
        a.zones
            .iter()
            .filter_map(|z| Some((z.subnet_id.clone(), z.source_nat_prefix.clone()?)))
            .collect(),
    );

    let mut listeners = Vec::new();
    let mut seen = BTreeSet::new();
    for t in template.listener.known().into_iter().flatten() {
        if let Some(l) = t.port.known().and_then(|p| a.listeners.get(p)) {
            seen.insert(l.port);
            listeners.push(listener_of(l, group_for(a, l)));
        }
    }
    for (port, l) in &a.listeners {
        if !seen.contains(port) {
            listeners.push(listener_of(l, group_for(a, l)));
        }
    }
    m.listener = Attr::Known(listeners);

    let mut ids = BTreeMap::new();
    for (port, l) in &a.listeners {
        ids.insert(
            port.to_string(),
            ListenerIds {
                arn: Attr::Known(l.arn.clone()),
                target_group_arn: l.target_group_arn.clone().into(),
            },
        );
    }
    // A group whose listener went away (outside Terraform) stays known by port, so
    // the plan can put a listener back in front of it.
    for (port, t) in template.listeners.known().into_iter().flatten() {
        if let Attr::Known(tg) = &t.target_group_arn
            && a.groups.contains_key(tg)
            && !ids.contains_key(port)
        {
            ids.insert(
                port.clone(),
                ListenerIds {
                    arn: Attr::Null,
                    target_group_arn: Attr::Known(tg.clone()),
                },
            );
        }
    }
    m.listeners = Attr::Known(ids);
    m
}

fn group_for<'a>(a: &'a Actual, l: &ActualListener) -> Option<&'a ActualGroup> {
    l.target_group_arn.as_ref().and_then(|g| a.groups.get(g))
}

fn subnets_of(a: &Actual, template: &LoadBalancerModel, m: &mut LoadBalancerModel) {
    let mapped = template
        .subnet_mapping
        .known()
        .is_some_and(|v| !v.is_empty());
    if !mapped {
        m.subnet_ids = Attr::Known(
            a.zones
                .iter()
                .map(|z| Attr::Known(z.subnet_id.clone()))
                .collect(),
        );
        m.subnet_mapping = Attr::Known(Vec::new());
        return;
    }
    let configured: Vec<SubnetMappingModel> =
        template.subnet_mapping.known().cloned().unwrap_or_default();
    let mut out = Vec::new();
    let mut order: Vec<&super::aws::discovery::Zone> = Vec::new();
    for c in &configured {
        if let Some(z) = a
            .zones
            .iter()
            .find(|z| c.subnet_id.known() == Some(&z.subnet_id))
        {
            order.push(z);
        }
    }
    for z in &a.zones {
        if !order.iter().any(|o| o.subnet_id == z.subnet_id) {
            order.push(z);
        }
    }
    for z in order {
        let c = configured
            .iter()
            .find(|c| c.subnet_id.known() == Some(&z.subnet_id));
        // AWS echoes addresses only once assigned; keep what was configured until then.
        let pick = |actual: &Option<String>, cfg: Option<&Attr<String>>| match actual {
            Some(v) => Attr::Known(v.clone()),
            None => cfg.cloned().unwrap_or(Attr::Null),
        };
        let prefix = match c.map(|c| &c.source_nat_ipv6_prefix) {
            Some(Attr::Known(p)) if p == "auto_assigned" => Attr::Known(p.clone()),
            Some(Attr::Known(_)) => z.source_nat_prefix.clone().into(),
            _ => Attr::Null,
        };
        out.push(SubnetMappingModel {
            subnet_id: Attr::Known(z.subnet_id.clone()),
            allocation_id: pick(&z.allocation_id, c.map(|c| &c.allocation_id)),
            private_ipv4_address: pick(&z.private_ipv4_address, c.map(|c| &c.private_ipv4_address)),
            ipv6_address: pick(&z.ipv6_address, c.map(|c| &c.ipv6_address)),
            source_nat_ipv6_prefix: prefix,
        });
    }
    m.subnet_ids = Attr::Null;
    m.subnet_mapping = Attr::Known(out);
}

/// An import skeleton: what only the configuration can say is left to defaults
/// (subnet_ids rather than subnet_mapping, listeners by port, no timeouts).
pub fn imported_model(a: &Actual) -> LoadBalancerModel {
    LoadBalancerModel {
        id: Attr::Null,
        arn: Attr::Null,
        name: Attr::Known(a.name.clone()),
        internal: Attr::Null,
        subnet_ids: Attr::Null,
        subnet_mapping: Attr::Known(Vec::new()),
        ip_address_type: Attr::Null,
        enable_prefix_for_ipv6_source_nat: Attr::Null,
        security_groups: Attr::Null,
        enable_cross_zone_load_balancing: Attr::Null,
        enable_deletion_protection: Attr::Null,
        listener: Attr::Known(Vec::new()),
        tags: Attr::Null,
        tags_all: Attr::Null,
        timeouts: Attr::Null,
        dns_name: Attr::Null,
        zone_id: Attr::Null,
        vpc_id: Attr::Null,
        listeners: Attr::Null,
        source_nat_ipv6_prefixes: Attr::Null,
    }
}

/// A state can never hold unknown values: what apply did not learn is null.
pub fn nullify_unknowns(mut m: LoadBalancerModel) -> LoadBalancerModel {
    fn fix<T>(a: &mut Attr<T>) {
        if a.is_unknown() {
            *a = Attr::Null;
        }
    }
    fix(&mut m.id);
    fix(&mut m.dns_name);
    fix(&mut m.zone_id);
    fix(&mut m.vpc_id);
    fix(&mut m.tags_all);
    fix(&mut m.source_nat_ipv6_prefixes);
    // Target groups already known stay findable by destroy.
    let ids = m.listeners.known().cloned().unwrap_or_default();
    m.listeners = Attr::Known(
        ids.into_iter()
            .map(|(port, mut i)| {
                fix(&mut i.arn);
                fix(&mut i.target_group_arn);
                (port, i)
            })
            .filter(|(_, i)| i.arn.is_known() || i.target_group_arn.is_known())
            .collect(),
    );
    m
}
