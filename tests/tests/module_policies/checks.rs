//! The two rules, applied to loaded modules.

use super::{Source, attr, blocks_of, eval_attr, instances, nested};
use crate::eval::{Scope, V};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Default)]
pub struct Report {
    pub modules: usize,
    pub statements: usize,
    pub service_wildcards: usize,
    pub wildcard_sites: Vec<String>,
    pub ingress_rules: usize,
    pub open_on_listener_ports: usize,
    pub nacl_replies: usize,
    /// Rules or statements whose values come from inputs without defaults.
    pub undetermined: Vec<String>,
    pub listener_ports: BTreeMap<String, BTreeSet<i64>>,
    pub violations: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports: Vec<String> = self
            .listener_ports
            .iter()
            .map(|(p, ports)| format!("{p} {ports:?}"))
            .collect();
        write!(
            f,
            "module policies: {} modules; IAM: {} statements, {} service-wide wildcards on * (e.g. kms:* in key policies), 0 allowed `*` on `*` expected; ingress: {} rules, {} open to the world on listener ports ({}), {} NACL reply ranges; undetermined (caller inputs) {}; violations {}",
            self.modules,
            self.statements,
            self.service_wildcards,
            self.ingress_rules,
            self.open_on_listener_ports,
            ports.join("; "),
            self.nacl_replies,
            self.undetermined.len(),
            self.violations.len()
        )?;
        for v in &self.violations {
            write!(f, "\n  violation: {v}")?;
        }
        // The long lists only on request (the figures stay short in make test).
        if std::env::var_os("TRUSTCHAIN_POLICY_DETAILS").is_some() {
            for w in &self.wildcard_sites {
                write!(f, "\n  service wildcard on *: {w}")?;
            }
            for u in &self.undetermined {
                write!(f, "\n  undetermined: {u}")?;
            }
        }
        Ok(())
    }
}

pub fn check(sources: &[Source]) -> Report {
    let mut r = Report {
        modules: sources.len(),
        ..Report::default()
    };
    for s in sources {
        let ports = r.listener_ports.entry(s.platform.clone()).or_default();
        ports.extend(listener_ports(s));
    }
    for s in sources {
        iam(s, &mut r);
        let ports = r
            .listener_ports
            .get(&s.platform)
            .cloned()
            .unwrap_or_default();
        ingress(s, &ports, &mut r);
    }
    r
}

fn listener_ports(s: &Source) -> BTreeSet<i64> {
    let mut ports = BTreeSet::new();
    for (ty, _, _, body) in blocks_of(s, "resource") {
        for scope in instances(&s.module, body) {
            match ty.as_str() {
                "aws_lb_listener" => {
                    if let Some(p) =
                        eval_attr(&s.module, body, "port", &scope).and_then(|v| v.as_num())
                    {
                        ports.insert(p as i64);
                    }
                }
                "trustchain_quic_load_balancer" => {
                    for (l, ls) in nested(&s.module, body, "listener", &scope) {
                        if let Some(p) =
                            eval_attr(&s.module, l, "port", &ls).and_then(|v| v.as_num())
                        {
                            ports.insert(p as i64);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    ports
}

fn address(ty: &str, name: &str, scope: &Scope, data: bool) -> String {
    let key = match scope.get("each") {
        Some(V::Obj(e)) => match e.get("key") {
            Some(V::Str(k)) => format!("[{k:?}]"),
            _ => String::new(),
        },
        _ => match scope.get("count") {
            Some(V::Obj(c)) => c
                .get("index")
                .and_then(V::as_num)
                .map(|i| format!("[{i}]"))
                .unwrap_or_default(),
            _ => String::new(),
        },
    };
    format!("{}{ty}.{name}{key}", if data { "data." } else { "" })
}

/// One statement's verdict.
fn statement(
    r: &mut Report,
    at: &str,
    effect: Option<V>,
    actions: Option<V>,
    not_actions: Option<V>,
    resources: Option<V>,
) {
    r.statements += 1;
    let allow = match effect {
        None => true,
        Some(V::Str(e)) => e.eq_ignore_ascii_case("allow"),
        Some(_) => {
            r.undetermined.push(format!("{at}: effect"));
            true
        }
    };
    if !allow {
        return;
    }
    let unknown = |v: &Option<V>| matches!(v, Some(V::Unknown(_)));
    if unknown(&actions) || unknown(&resources) || unknown(&not_actions) {
        r.undetermined
            .push(format!("{at}: actions or resources from inputs"));
    }
    let strings = |v: &Option<V>| v.as_ref().map(V::strings).unwrap_or_default();
    let on_star = strings(&resources).iter().any(|s| s == "*");
    if !on_star {
        return;
    }
    let acts = strings(&actions);
    if acts.iter().any(|a| a == "*" || a == "*:*") {
        r.violations
            .push(format!("{at}: allows action \"*\" on resource \"*\""));
    } else if not_actions.is_some() {
        r.violations.push(format!(
            "{at}: Allow with NotAction on resource \"*\" (everything else on everything)"
        ));
    } else if acts.iter().any(|a| a.ends_with(":*")) {
        r.service_wildcards += 1;
        r.wildcard_sites.push(format!("{at}: {acts:?}"));
    }
}

fn iam(s: &Source, r: &mut Report) {
    let m = &s.module;
    for (ty, name, file, body) in blocks_of(s, "data") {
        if ty != "aws_iam_policy_document" {
            continue;
        }
        for scope in instances(m, body) {
            let at = format!("{file}: {}", address(&ty, &name, &scope, true));
            for (st, ss) in nested(m, body, "statement", &scope) {
                statement(
                    r,
                    &at,
                    eval_attr(m, st, "effect", &ss),
                    eval_attr(m, st, "actions", &ss),
                    eval_attr(m, st, "not_actions", &ss),
                    eval_attr(m, st, "resources", &ss),
                );
            }
        }
    }
    // JSON policies written inline: any attribute whose value holds a Statement.
    for (ty, name, file, body) in blocks_of(s, "resource") {
        for scope in instances(m, body) {
            for a in body.attributes() {
                if !a.key().contains("policy") {
                    continue;
                }
                let at = format!("{file}: {}", address(&ty, &name, &scope, false));
                let v = m.eval(a.expr(), &scope);
                let statements = match &v {
                    V::Obj(o) => o.get("Statement").cloned(),
                    _ => None,
                };
                for st in statements.map(|v| v.items()).unwrap_or_default() {
                    let V::Obj(st) = st else { continue };
                    statement(
                        r,
                        &at,
                        st.get("Effect").cloned(),
                        st.get("Action").cloned(),
                        st.get("NotAction").cloned(),
                        st.get("Resource").cloned(),
                    );
                }
            }
            let _ = attr(body, "policy");
        }
    }
}

/// One ingress rule: where, from which ranges, which ports.
#[allow(clippy::too_many_arguments)] // the fields of one rule, read at five call sites
fn ingress_rule(
    r: &mut Report,
    at: &str,
    cidrs: &[Option<V>],
    protocol: Option<V>,
    from: Option<V>,
    to: Option<V>,
    nacl: bool,
    listener: &BTreeSet<i64>,
) {
    r.ingress_rules += 1;
    let values: Vec<&V> = cidrs.iter().flatten().collect();
    if values.iter().any(|v| matches!(v, V::Unknown(_))) {
        r.undetermined
            .push(format!("{at}: source range from inputs"));
    }
    let open: Vec<String> = values
        .iter()
        .flat_map(|v| v.strings())
        .filter(|c| OPEN.contains(&c.as_str()))
        .collect();
    if open.is_empty() {
        return;
    }
    let proto = protocol.as_ref().and_then(|p| match p {
        V::Str(s) => Some(s.clone()),
        V::Num(n) => Some(format!("{}", *n as i64)),
        _ => None,
    });
    let (from, to) = (from.and_then(|v| v.as_num()), to.and_then(|v| v.as_num()));
    let all_ports = matches!(proto.as_deref(), Some("-1" | "all"));
    let ports = match (from, to) {
        (Some(f), Some(t)) if !all_ports => Some((f as i64, t as i64)),
        _ => None,
    };
    match ports {
        Some((f, t)) if (f..=t).all(|p| listener.contains(&p)) => r.open_on_listener_ports += 1,
        Some((f, 65535)) if nacl && f >= 1024 => r.nacl_replies += 1,
        _ => r.violations.push(format!(
            "{at}: ingress from {} on {} (public listener ports: {listener:?})",
            open.join(", "),
            match (ports, proto) {
                (Some((f, t)), Some(p)) if f == t => format!("{p} port {f}"),
                (Some((f, t)), Some(p)) => format!("{p} ports {f}-{t}"),
                (_, p) => format!("all ports (protocol {})", p.unwrap_or_else(|| "?".into())),
            }
        )),
    }
}

const OPEN: &[&str] = super::OPEN;

fn ingress(s: &Source, listener: &BTreeSet<i64>, r: &mut Report) {
    let m = &s.module;
    for (ty, name, file, body) in blocks_of(s, "resource") {
        for scope in instances(m, body) {
            let at = format!("{file}: {}", address(&ty, &name, &scope, false));
            let get = |b: &hcl::Body, k: &str, sc: &Scope| eval_attr(m, b, k, sc);
            match ty.as_str() {
                "aws_vpc_security_group_ingress_rule" => ingress_rule(
                    r,
                    &at,
                    &[
                        get(body, "cidr_ipv4", &scope),
                        get(body, "cidr_ipv6", &scope),
                    ],
                    get(body, "ip_protocol", &scope),
                    get(body, "from_port", &scope),
                    get(body, "to_port", &scope),
                    false,
                    listener,
                ),
                "aws_security_group_rule"
                    if get(body, "type", &scope) == Some(V::Str("ingress".into())) =>
                {
                    ingress_rule(
                        r,
                        &at,
                        &[
                            get(body, "cidr_blocks", &scope),
                            get(body, "ipv6_cidr_blocks", &scope),
                        ],
                        get(body, "protocol", &scope),
                        get(body, "from_port", &scope),
                        get(body, "to_port", &scope),
                        false,
                        listener,
                    )
                }
                "aws_network_acl_rule" if get(body, "egress", &scope) != Some(V::Bool(true)) => {
                    ingress_rule(
                        r,
                        &at,
                        &[
                            get(body, "cidr_block", &scope),
                            get(body, "ipv6_cidr_block", &scope),
                        ],
                        get(body, "protocol", &scope),
                        get(body, "from_port", &scope),
                        get(body, "to_port", &scope),
                        true,
                        listener,
                    )
                }
                "aws_security_group" | "aws_default_security_group" | "aws_network_acl" => {
                    let nacl = ty == "aws_network_acl";
                    let cidr_keys: &[&str] = if nacl {
                        &["cidr_block", "ipv6_cidr_block"]
                    } else {
                        &["cidr_blocks", "ipv6_cidr_blocks"]
                    };
                    for (b, bs) in nested(m, body, "ingress", &scope) {
                        let cidrs: Vec<Option<V>> =
                            cidr_keys.iter().map(|k| get(b, k, &bs)).collect();
                        ingress_rule(
                            r,
                            &at,
                            &cidrs,
                            get(b, "protocol", &bs),
                            get(b, "from_port", &bs),
                            get(b, "to_port", &bs),
                            nacl,
                            listener,
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
