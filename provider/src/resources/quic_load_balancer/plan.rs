//! Plan-time values: `tags_all`, each listener's defaults (they depend on its
//! protocol and the load balancer's address type), replacement with a reason where
//! AWS requires it, and the `listeners` map: which listener and target group ARNs
//! stay, and which are new. Apply follows these decisions (see `reconcile`).

use super::model::{
    DEFAULT_IDLE_TIMEOUT, DEFAULT_SSL_POLICY, ListenerIds, ListenerModel, LoadBalancerModel,
    Protocol, TargetSpec, default_health_timeout, is_http, known_or, known_or_copy,
    target_group_name,
};
use crate::aws::ProviderData;
use crate::aws::tag_rules;
use std::collections::BTreeMap;
use tfplugin::framework::Plan;
use tfplugin::value::{Attr, AttributePath};

pub fn modify(data: &ProviderData, plan: &mut Plan<LoadBalancerModel>) {
    plan.planned.tags_all = data.tags_all(&plan.config.tags);
    if let Attr::Known(all) = &plan.planned.tags_all {
        plan.diagnostics.extend(tag_rules::check_merged(
            &tag_rules::ELBV2,
            plan.config.tags.known(),
            all,
            &AttributePath::root().attr("tags"),
            "the load balancer and each of its listeners and target groups (tags with the provider's default_tags)",
        ));
    }
    fill_listener_defaults(&plan.config.clone(), &mut plan.planned);
    let Some(prior) = plan.prior.clone() else {
        plan.planned.listeners = new_listener_ids(&plan.planned, &BTreeMap::new(), None);
        return;
    };
    replacements(&prior, plan);
    if plan.is_replacing() {
        return;
    }
    let prior_ids = prior.listeners.known().cloned().unwrap_or_default();
    plan.planned.listeners = new_listener_ids(&plan.planned, &prior_ids, Some(&prior));
    plan.planned.source_nat_ipv6_prefixes = source_nat_prefixes(&prior, &plan.planned);
}

/// Defaults of the optional+computed listener settings, from each listener's own
/// configuration (never from the prior element at the same index: listeners are
/// keyed by port, and adding one in front must not shift values).
fn fill_listener_defaults(config: &LoadBalancerModel, planned: &mut LoadBalancerModel) {
    let ip_type = planned.ip_type().map(String::from);
    let (Attr::Known(cfgs), Attr::Known(ls)) = (&config.listener, &mut planned.listener) else {
        return;
    };
    for (c, l) in cfgs.iter().zip(ls.iter_mut()) {
        let protocol = match &c.protocol {
            Attr::Known(p) => Protocol::parse(p).map_or(Attr::Unknown, Attr::Known),
            _ => Attr::Unknown,
        };
        l.target_port = match (&c.target_port, &c.port) {
            (Attr::Null, p) => p.clone(),
            (v, _) => v.clone(),
        };
        l.target_ip_address_type = match (&c.target_ip_address_type, &protocol, &ip_type) {
            (Attr::Null, Attr::Known(p), Some(ip)) => {
                let v6 = ip == "dualstack" && p.is_udp();
                Attr::Known(if v6 { "ipv6" } else { "ipv4" }.to_string())
            }
            (Attr::Null, _, _) => Attr::Unknown,
            (v, _, _) => v.clone(),
        };
        l.ssl_policy = derive(&c.ssl_policy, &protocol, |p| {
            if p == Protocol::Tls {
                Attr::Known(DEFAULT_SSL_POLICY.to_string())
            } else {
                Attr::Null
            }
        });
        l.connection_termination = derive(&c.connection_termination, &protocol, |p| {
            Attr::Known(p.default_connection_termination())
        });
        l.idle_timeout = derive(&c.idle_timeout, &protocol, |p| {
            if p.has_idle_timeout() {
                Attr::Known(DEFAULT_IDLE_TIMEOUT)
            } else {
                Attr::Null
            }
        });
        if let (Attr::Known(chc), Attr::Known(hc)) = (&c.health_check, &mut l.health_check) {
            let hp = known_or(&chc.protocol, "TCP").map(String::from);
            let by_protocol = |cfg: &Attr<String>, http: &str| match (cfg, &hp) {
                (Attr::Null, Some(p)) if is_http(p) => Attr::Known(http.to_string()),
                (Attr::Null, Some(_)) => Attr::Null,
                (Attr::Null, None) => Attr::Unknown,
                (v, _) => v.clone(),
            };
            hc.path = by_protocol(&chc.path, "/");
            hc.matcher = by_protocol(&chc.matcher, "200-399");
            hc.timeout = match (&chc.timeout, &hp) {
                (Attr::Null, Some(p)) => Attr::Known(default_health_timeout(p)),
                (Attr::Null, None) => Attr::Unknown,
                (v, _) => v.clone(),
            };
        }
    }
}

/// A configured value, else the protocol's default (unknown while the protocol is).
fn derive<T: Clone>(
    cfg: &Attr<T>,
    protocol: &Attr<Protocol>,
    f: impl Fn(Protocol) -> Attr<T>,
) -> Attr<T> {
    match (cfg, protocol) {
        (Attr::Null, Attr::Known(p)) => f(*p),
        (Attr::Null, _) => Attr::Unknown,
        (v, _) => v.clone(),
    }
}

/// Changes AWS cannot make in place replace the load balancer, with the reason
/// shown at the attribute.
fn replacements(prior: &LoadBalancerModel, plan: &mut Plan<LoadBalancerModel>) {
    let planned = plan.planned.clone();
    let name = planned
        .name
        .known()
        .map_or("the new name".to_string(), |n| format!("{n:?}"));
    let old = prior
        .name
        .known()
        .map_or("it".to_string(), |n| format!("{n:?}"));
    plan.require_replace_if_changed(
        AttributePath::root().attr("name"),
        &prior.name,
        &planned.name,
        format!("AWS cannot rename a load balancer: a new one named {name} replaces {old}, with a new DNS name and new target groups (targets are registered again)."),
    );
    let internal = |m: &LoadBalancerModel| {
        known_or_copy(&m.internal, false).map_or(Attr::Unknown, Attr::Known)
    };
    plan.require_replace_if_changed(
        AttributePath::root().attr("internal"),
        &internal(prior),
        &internal(&planned),
        "AWS cannot change the scheme (internal or internet-facing) of a load balancer: a new one replaces it, with a new DNS name.",
    );
    // Only adding the first security group replaces: whether any are given.
    let any_groups = |m: &LoadBalancerModel| match &m.security_groups {
        Attr::Null => Attr::Known(false),
        Attr::Known(v) => Attr::Known(!v.is_empty()),
        Attr::Unknown => Attr::Unknown,
    };
    if any_groups(prior) == Attr::Known(false) {
        plan.require_replace_if_changed(
            AttributePath::root().attr("security_groups"),
            &Attr::Known(false),
            &any_groups(&planned),
            "A Network Load Balancer created without security groups can never have them (AWS): adding the first one replaces the load balancer.",
        );
    }
}

/// The target group settings of a listener, when all are known.
pub fn spec_of(l: &ListenerModel) -> Option<TargetSpec> {
    let protocol = Protocol::parse(l.protocol.known()?)?;
    Some(TargetSpec {
        protocol: protocol.target_protocol(),
        port: *l.target_port.known()?,
        target_type: known_or(&l.target_type, "instance")?.to_string(),
        ip_type: l.target_ip_address_type.known()?.clone(),
    })
}

/// The name part of a target group ARN (`...:targetgroup/NAME/ID`).
pub fn group_name_of(arn: &str) -> Option<&str> {
    arn.split_once(":targetgroup/")?.1.split('/').next()
}

/// Whether the listener on `port` keeps its target group, and whether it keeps the
/// listener itself (it is deleted before the network changes and made again after). `prior` is the listener as the state knows it (None when it is
/// new, or was deleted outside Terraform and only its target group is left).
pub fn keeps(
    lb_name: &str,
    l: &ListenerModel,
    prior: Option<&ListenerModel>,
    prior_ids: Option<&ListenerIds>,
) -> (bool, bool) {
    let Some(ids) = prior_ids else {
        return (false, false);
    };
    let (Some(spec), Attr::Known(port)) = (spec_of(l), &l.port) else {
        return (false, false);
    };
    let keep_group = ids.target_group_arn.is_known()
        && match prior {
            Some(p) => spec_of(p).as_ref() == Some(&spec),
            // The listener is gone but its group is left: the group's name says
            // whether its unchangeable settings are still the wanted ones.
            None => {
                ids.target_group_arn.known().and_then(|a| group_name_of(a))
                    == Some(target_group_name(lb_name, *port, &spec).as_str())
            }
        };
    let same_family = |p: &ListenerModel| {
        let q = |m: &ListenerModel| {
            m.protocol
                .known()
                .and_then(|s| Protocol::parse(s))
                .map(Protocol::is_quic)
        };
        q(p).is_some() && q(p) == q(l)
    };
    // No ModifyListener order keeps AWS's rules true when a listener crosses into or
    // out of QUIC, or its targets change address family (UDP on dualstack needs
    // IPv6 groups; IPv6 groups need dualstack): such a listener is made anew.
    let same_family_of_targets =
        |p: &ListenerModel| p.target_ip_address_type.known() == Some(&spec.ip_type);
    let keep_listener =
        ids.arn.is_known() && prior.is_some_and(|p| same_family(p) && same_family_of_targets(p));
    (keep_group, keep_listener)
}

/// The plan's decisions at apply time: the planned map, or (when the plan could not
/// know the ports) the same decisions made now that every value is known.
pub fn listener_ids_at_apply(
    planned: &LoadBalancerModel,
    prior: Option<&LoadBalancerModel>,
) -> BTreeMap<String, ListenerIds> {
    if let Attr::Known(ids) = &planned.listeners {
        return ids.clone();
    }
    let prior_ids = prior
        .and_then(|p| p.listeners.known().cloned())
        .unwrap_or_default();
    new_listener_ids(planned, &prior_ids, prior)
        .into_known()
        .unwrap_or_default()
}

/// The `listeners` map of a plan: ports -> ARNs that stay, unknown for new ones.
fn new_listener_ids(
    planned: &LoadBalancerModel,
    prior_ids: &BTreeMap<String, ListenerIds>,
    prior: Option<&LoadBalancerModel>,
) -> Attr<BTreeMap<String, ListenerIds>> {
    let (Attr::Known(ls), Attr::Known(name)) = (&planned.listener, &planned.name) else {
        return Attr::Unknown;
    };
    let prior_by_port: BTreeMap<i64, &ListenerModel> = prior
        .and_then(|p| p.listener.known())
        .into_iter()
        .flatten()
        .filter_map(|l| Some((*l.port.known()?, l)))
        .collect();
    let mut out = BTreeMap::new();
    for l in ls {
        let Attr::Known(port) = l.port else {
            return Attr::Unknown;
        };
        let key = port.to_string();
        let ids = prior_ids.get(&key);
        let (keep_group, keep_listener) = keeps(name, l, prior_by_port.get(&port).copied(), ids);
        let pick = |keep: bool, v: Option<&Attr<String>>| match (keep, v) {
            (true, Some(Attr::Known(a))) => Attr::Known(a.clone()),
            _ => Attr::Unknown,
        };
        out.insert(
            key,
            ListenerIds {
                arn: pick(keep_listener, ids.map(|i| &i.arn)),
                target_group_arn: pick(keep_group, ids.map(|i| &i.target_group_arn)),
            },
        );
    }
    Attr::Known(out)
}

/// Source-NAT prefixes stay while subnets, address type and the switch stay.
fn source_nat_prefixes(
    prior: &LoadBalancerModel,
    planned: &LoadBalancerModel,
) -> Attr<BTreeMap<String, String>> {
    if planned.source_nat() == Some(false) {
        return Attr::Known(BTreeMap::new());
    }
    let same = subnet_set(prior) == subnet_set(planned)
        && prior.subnet_mapping == planned.subnet_mapping
        && prior.ip_type() == planned.ip_type()
        && prior.source_nat() == planned.source_nat();
    if same && prior.source_nat_ipv6_prefixes.is_known() {
        prior.source_nat_ipv6_prefixes.clone()
    } else {
        Attr::Unknown
    }
}

/// The configured subnet ids as a set (`None` while unknown).
pub fn subnet_set(m: &LoadBalancerModel) -> Option<std::collections::BTreeSet<String>> {
    match &m.subnet_ids {
        Attr::Known(v) => v.iter().map(|s| s.known().cloned()).collect(),
        Attr::Null => Some(Default::default()),
        Attr::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema;
    use super::*;
    use serde_json::json;

    fn model(v: serde_json::Value) -> LoadBalancerModel {
        tfplugin::framework::model_from_json(&schema::schema(), &v).expect("model")
    }

    fn listener(port: i64, protocol: &str) -> serde_json::Value {
        json!({"port": port, "protocol": protocol, "target_type": "instance", "target_port": port,
               "target_ip_address_type": "ipv4", "health_check": {"protocol": "TCP"}})
    }

    fn one(v: serde_json::Value) -> ListenerModel {
        let m = model(json!({"name": "x", "listener": [v]}));
        m.listener.known().expect("listeners")[0].clone()
    }

    #[test]
    fn defaults_follow_each_listeners_protocol_and_the_address_type() {
        let config = model(json!({
            "name": "udp", "ip_address_type": "dualstack",
            "listener": [
                {"port": 853, "protocol": "TLS", "health_check": {"protocol": "HTTPS"}},
                {"port": 8853, "protocol": "UDP", "health_check": {"protocol": "TCP"}},
            ]
        }));
        let mut planned = config.clone();
        fill_listener_defaults(&config, &mut planned);
        let ls = planned.listener.known().expect("listeners");
        assert_eq!(ls[0].ssl_policy, Attr::Known(DEFAULT_SSL_POLICY.into()));
        assert_eq!(ls[0].target_ip_address_type, Attr::Known("ipv4".into()));
        assert_eq!(
            ls[0].idle_timeout,
            Attr::Null,
            "TLS keeps AWS's fixed idle timeout"
        );
        let hc = ls[0].health_check.known().expect("hc");
        assert_eq!(
            (hc.path.clone(), hc.timeout.clone()),
            (Attr::Known("/".into()), Attr::Known(10))
        );
        assert_eq!(ls[1].target_ip_address_type, Attr::Known("ipv6".into()));
        assert_eq!(ls[1].connection_termination, Attr::Known(true));
        assert_eq!(ls[1].target_port, Attr::Known(8853));
        assert_eq!(ls[1].ssl_policy, Attr::Null);
    }

    #[test]
    fn a_new_listener_keeps_the_others_and_a_protocol_change_gets_a_new_group() {
        let arn =
            |p: &str| format!("arn:aws:elasticloadbalancing:us-east-1:1:listener/net/x/1/{p}");
        let tg = |n: &str| format!("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/{n}/1");
        let prior = model(json!({
            "name": "x",
            "listener": [listener(8853, "QUIC"), listener(8444, "UDP")],
            "listeners": {
                "8853": {"arn": arn("a"), "target_group_arn": tg("a")},
                "8444": {"arn": arn("b"), "target_group_arn": tg("b")},
            }
        }));
        let planned = model(json!({
            "name": "x",
            "listener": [listener(53, "TCP"), listener(8853, "QUIC"), listener(8444, "TCP_UDP")],
        }));
        let ids = new_listener_ids(
            &planned,
            prior.listeners.known().expect("ids"),
            Some(&prior),
        );
        let ids = ids.known().expect("known map");
        assert_eq!(ids["8853"].arn, Attr::Known(arn("a")));
        assert_eq!(ids["8853"].target_group_arn, Attr::Known(tg("a")));
        assert_eq!(ids["53"].arn, Attr::Unknown);
        assert_eq!(
            ids["8444"].arn,
            Attr::Known(arn("b")),
            "ModifyListener keeps the ARN"
        );
        assert_eq!(
            ids["8444"].target_group_arn,
            Attr::Unknown,
            "TCP_UDP needs a new group"
        );
    }

    #[test]
    fn crossing_into_quic_recreates_the_listener() {
        let prior_l = one(listener(8853, "UDP"));
        let new_l = one(listener(8853, "QUIC"));
        let ids = ListenerIds {
            arn: Attr::Known("arn:l".into()),
            target_group_arn: Attr::Known("arn:tg".into()),
        };
        assert_eq!(
            keeps("x", &new_l, Some(&prior_l), Some(&ids)),
            (false, false)
        );
    }

    #[test]
    fn a_group_left_by_a_deleted_listener_is_kept_when_its_name_matches() {
        let l = one(listener(8853, "QUIC"));
        let name = target_group_name("doq", 8853, &spec_of(&l).expect("spec"));
        let ids = ListenerIds {
            arn: Attr::Null,
            target_group_arn: Attr::Known(format!(
                "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/{name}/abc"
            )),
        };
        assert_eq!(keeps("doq", &l, None, Some(&ids)), (true, false));
        assert_eq!(keeps("other", &l, None, Some(&ids)), (false, false));
    }

    fn nlb() -> super::super::QuicLoadBalancer {
        super::super::QuicLoadBalancer::new(ProviderData::default())
    }

    async fn plan(
        prior: Option<&serde_json::Value>,
        config: &serde_json::Value,
    ) -> crate::resources::plan_testing::Planned<LoadBalancerModel> {
        crate::resources::plan_testing::plan(nlb(), prior, config, &[]).await
    }

    fn lb_config() -> serde_json::Value {
        json!({"name": "doq", "subnet_ids": ["subnet-1", "subnet-2"],
               "listener": [listener(8853, "QUIC")]})
    }

    /// The state after applying `lb_config()`.
    fn lb_state() -> serde_json::Value {
        let arn = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/doq/1";
        json!({
            "id": arn, "arn": arn, "name": "doq", "internal": false,
            "subnet_ids": ["subnet-1", "subnet-2"], "ip_address_type": "ipv4",
            "enable_prefix_for_ipv6_source_nat": false, "tags_all": {},
            "listener": [listener(8853, "QUIC")],
            "listeners": {"8853": {
                "arn": "arn:aws:elasticloadbalancing:us-east-1:1:listener/net/doq/1/a",
                "target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/doq-8853/1"}},
            "source_nat_ipv6_prefixes": {},
        })
    }

    #[tokio::test]
    async fn a_new_load_balancer_plans_tags_all_and_new_listener_ids() {
        let mut c = lb_config();
        c["tags"] = json!({"service": "doq"});
        let p = plan(None, &c).await;
        let all = p.model.tags_all.known().expect("tags_all");
        assert_eq!(all.get("service").map(String::as_str), Some("doq"));
        let ids = p.model.listeners.known().expect("listeners known at plan");
        assert_eq!(ids["8853"].arn, Attr::Unknown);
        assert_eq!(ids.len(), 1);
    }

    #[tokio::test]
    async fn name_internal_and_the_first_security_group_replace_with_a_reason() {
        let prior = lb_state();
        for (attr, value) in [
            ("name", json!("doq-2")),
            ("internal", json!(true)),
            ("security_groups", json!(["sg-1"])),
        ] {
            let mut c = lb_config();
            c[attr] = value;
            let p = plan(Some(&prior), &c).await;
            assert_eq!(p.replaced(), [attr]);
            assert!(
                p.summaries()
                    .contains(&("This change replaces the object".into(), attr.into())),
                "{attr}: {:?}",
                p.summaries()
            );
            assert_eq!(
                p.model.listeners,
                Attr::Unknown,
                "a replacement has new listeners"
            );
        }
        // No security groups before and none now: nothing to replace.
        let mut c = lb_config();
        c["security_groups"] = json!([]);
        assert_eq!(
            plan(Some(&prior), &c).await.replaced(),
            Vec::<String>::new()
        );
    }

    #[tokio::test]
    async fn security_groups_change_in_place_once_there_are_some() {
        let mut prior = lb_state();
        prior["security_groups"] = json!(["sg-1"]);
        prior["listener"] = json!([listener(53, "UDP")]);
        prior["listeners"] = json!({});
        let mut c = lb_config();
        c["listener"] = json!([listener(53, "UDP")]);
        for groups in [json!(["sg-2"]), json!([])] {
            c["security_groups"] = groups;
            assert_eq!(
                plan(Some(&prior), &c).await.replaced(),
                Vec::<String>::new()
            );
        }
    }

    #[tokio::test]
    async fn an_unchanged_listener_keeps_its_arns_through_a_tag_change() {
        let prior = lb_state();
        let mut c = lb_config();
        c["tags"] = json!({"env": "prod"});
        let p = plan(Some(&prior), &c).await;
        let planned: BTreeMap<String, ListenerIds> =
            serde_json::from_value(prior["listeners"].clone()).expect("ids");
        assert_eq!(p.model.listeners, Attr::Known(planned));
        assert_eq!(
            p.model.source_nat_ipv6_prefixes,
            Attr::Known(BTreeMap::new())
        );
    }

    #[test]
    fn tcp_health_checks_have_no_path_or_matcher() {
        let config = model(json!({"name": "x", "listener": [listener(53, "TCP")]}));
        let mut planned = config.clone();
        fill_listener_defaults(&config, &mut planned);
        let hc = planned.listener.known().expect("listeners")[0]
            .health_check
            .known()
            .expect("hc")
            .clone();
        assert_eq!((hc.path, hc.matcher), (Attr::Null, Attr::Null));
        assert_eq!(hc.timeout, Attr::Known(10));
    }

    #[test]
    fn a_listener_whose_targets_change_address_family_is_made_anew() {
        let mut v4 = listener(8853, "UDP");
        v4["target_ip_address_type"] = json!("ipv4");
        let mut v6 = listener(8853, "UDP");
        v6["target_ip_address_type"] = json!("ipv6");
        let ids = ListenerIds {
            arn: Attr::Known("arn:l".into()),
            target_group_arn: Attr::Known("arn:tg".into()),
        };
        let (prior_l, new_l) = (one(v4), one(v6));
        assert_eq!(
            keeps("x", &new_l, Some(&prior_l), Some(&ids)),
            (false, false)
        );
        assert_eq!(
            keeps("x", &prior_l, Some(&prior_l), Some(&ids)),
            (true, true)
        );
    }

    #[test]
    fn apply_follows_the_planned_ids_or_decides_alike_when_ports_were_unknown() {
        let prior = model(lb_state());
        let mut planned = model(lb_config());
        planned.listeners = prior.listeners.clone();
        let at_apply = listener_ids_at_apply(&planned, Some(&prior));
        assert_eq!(Attr::Known(at_apply), prior.listeners);
        // Ports unknown at plan: the same decision at apply (8853 kept, 53 new).
        planned.listeners = Attr::Unknown;
        if let Attr::Known(ls) = &mut planned.listener {
            ls.push(one(listener(53, "TCP")));
        }
        let at_apply = listener_ids_at_apply(&planned, Some(&prior));
        let kept = prior.listeners.known().expect("ids")["8853"].clone();
        assert_eq!(at_apply["8853"], kept);
        assert_eq!(at_apply["53"].arn, Attr::Unknown);
        assert_eq!(at_apply.len(), 2);
    }

    fn nat_lb(subnets: &[&str], prefixes: serde_json::Value) -> LoadBalancerModel {
        model(json!({"name": "udp", "ip_address_type": "dualstack",
                     "enable_prefix_for_ipv6_source_nat": true, "subnet_ids": subnets,
                     "listener": [listener(8853, "UDP")],
                     "source_nat_ipv6_prefixes": prefixes}))
    }

    #[test]
    fn source_nat_prefixes_stay_while_subnets_address_type_and_switch_do() {
        let prefixes =
            json!({"subnet-1": "2600:1f18:0:1:0::/80", "subnet-2": "2600:1f18:0:2:0::/80"});
        let prior = nat_lb(&["subnet-1", "subnet-2"], prefixes.clone());
        let same = nat_lb(&["subnet-2", "subnet-1"], json!(null));
        assert_eq!(
            source_nat_prefixes(&prior, &same),
            prior.source_nat_ipv6_prefixes
        );
        let added = nat_lb(&["subnet-1", "subnet-2", "subnet-3"], json!(null));
        assert_eq!(source_nat_prefixes(&prior, &added), Attr::Unknown);
        let mut off = same.clone();
        off.enable_prefix_for_ipv6_source_nat = Attr::Known(false);
        assert_eq!(
            source_nat_prefixes(&prior, &off),
            Attr::Known(BTreeMap::new())
        );
        // Turned on now: AWS assigns them at apply.
        assert_eq!(source_nat_prefixes(&off, &same), Attr::Unknown);
    }

    #[test]
    fn source_nat_prefixes_follow_the_subnet_mappings() {
        let mapping = |prefix: &str| {
            model(json!({"name": "udp", "ip_address_type": "dualstack",
                         "enable_prefix_for_ipv6_source_nat": true,
                         "subnet_mapping": [{"subnet_id": "subnet-1", "source_nat_ipv6_prefix": prefix}],
                         "listener": [listener(8853, "UDP")],
                         "source_nat_ipv6_prefixes": {"subnet-1": prefix}}))
        };
        let prior = mapping("2600:1f18:0:1:0::/80");
        assert_eq!(
            source_nat_prefixes(&prior, &mapping("2600:1f18:0:1:0::/80")),
            prior.source_nat_ipv6_prefixes
        );
        assert_eq!(
            source_nat_prefixes(&prior, &mapping("2600:1f18:0:1:1::/80")),
            Attr::Unknown
        );
    }
}
