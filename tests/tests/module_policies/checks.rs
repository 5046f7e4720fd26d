//! The rules, applied to loaded modules: no `*` on `*` in IAM, and world-open ingress
//! by the role of the security group it opens (see the crate docs of
//! `module_policies.rs`).

use super::{Input, Source, attr, blocks_of, eval_attr, instances, nested};
use crate::eval::{Module, Scope, V};
use hcl::expr::{Expression, TraversalOperator};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a security group is for, read from its name (or `for_each` key) or from the
/// resource that owns it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    LoadBalancer,
    Instance,
    Database,
    Cache,
    Hsm,
    Cluster,
    /// Interface endpoints, file systems, anything else: private by nature.
    Other(String),
    /// Given by the caller (`var.*`): its role is unknown here, so it is never open.
    Input(String),
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::LoadBalancer => write!(f, "load balancer"),
            Role::Instance => write!(f, "instance"),
            Role::Database => write!(f, "database"),
            Role::Cache => write!(f, "cache"),
            Role::Hsm => write!(f, "HSM"),
            Role::Cluster => write!(f, "cluster"),
            Role::Other(n) => write!(f, "other ({n})"),
            Role::Input(n) => write!(f, "input ({n})"),
        }
    }
}

/// The role of a security group named `name` (its resource name or `for_each` key).
pub fn role_of_name(name: &str) -> Role {
    let tokens: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let any = |words: &[&str]| tokens.iter().any(|t| words.contains(&t.as_str()));
    if any(&["alb", "nlb", "elb", "lb", "balancer", "loadbalancer"]) {
        Role::LoadBalancer
    } else if any(&["hsm", "cloudhsm"]) {
        Role::Hsm
    } else if any(&[
        "rds",
        "db",
        "database",
        "postgres",
        "postgresql",
        "mysql",
        "aurora",
    ]) {
        Role::Database
    } else if any(&["redis", "cache", "elasticache", "memcached", "valkey"]) {
        Role::Cache
    } else if any(&[
        "instance",
        "instances",
        "node",
        "nodes",
        "compute",
        "app",
        "service",
        "services",
        "worker",
        "workers",
        "targets",
    ]) {
        Role::Instance
    } else if any(&["cluster", "eks", "control"]) {
        Role::Cluster
    } else {
        Role::Other(name.to_string())
    }
}

/// The role of a group owned by a resource of type `ty` (a security group is named
/// by its key or name; a cluster's or database's own group takes their role).
fn role_of(ty: &str, name: &str, key: Option<&str>) -> Role {
    match ty {
        "aws_security_group" | "aws_default_security_group" => role_of_name(key.unwrap_or(name)),
        "trustchain_cloudhsm_cluster" | "aws_cloudhsm_v2_cluster" => Role::Hsm,
        "aws_eks_cluster" => Role::Cluster,
        "aws_db_instance" | "aws_rds_cluster" | "aws_docdb_cluster" => Role::Database,
        "aws_elasticache_replication_group" | "aws_elasticache_cluster" => Role::Cache,
        "aws_lb" => Role::LoadBalancer,
        other => Role::Other(format!("{other}.{name}")),
    }
}

/// The group a rule's `security_group_id` names: `aws_security_group.alb.id`,
/// `aws_security_group.this["rds"].id`, `trustchain_cloudhsm_cluster.this[0].security_group_id`,
/// `var.x`.
fn group_of(m: &Module, e: Option<&Expression>, scope: &Scope) -> Role {
    let Some(Expression::Traversal(t)) = e else {
        return Role::Other("unreadable security_group_id".into());
    };
    let Expression::Variable(root) = &t.expr else {
        return Role::Other("unreadable security_group_id".into());
    };
    let mut ops = t.operators.iter();
    let name = match ops.next() {
        Some(TraversalOperator::GetAttr(n)) => n.to_string(),
        _ => return Role::Other(root.to_string()),
    };
    if root.as_str() == "var" {
        return Role::Input(format!("var.{name}"));
    }
    let key = match ops.next() {
        Some(TraversalOperator::Index(i)) => match m.eval(i, scope) {
            V::Str(k) => Some(k),
            _ => None,
        },
        _ => None,
    };
    role_of(root.as_str(), &name, key.as_deref())
}

/// Listener protocols whose target groups keep the client's address (AWS: client IP
/// preservation is always on, and cannot be turned off, for UDP, TCP_UDP, QUIC and
/// TCP_QUIC target groups), so the targets' group must admit the clients themselves.
const PRESERVES_CLIENT: &[&str] = &["UDP", "TCP_UDP", "QUIC", "TCP_QUIC"];

#[derive(Default)]
pub struct Report {
    pub modules: usize,
    pub statements: usize,
    pub service_wildcards: usize,
    pub wildcard_sites: Vec<String>,
    pub ingress_rules: usize,
    /// World-open rules on load balancer groups, on listener ports.
    pub open_on_listener_ports: usize,
    /// World-open rules on the targets of UDP/QUIC listeners (client address kept).
    pub open_on_udp_targets: usize,
    pub nacl_replies: usize,
    /// Ingress rules per role of the group they open.
    pub roles: BTreeMap<String, usize>,
    /// Rules or statements whose values come from inputs without defaults, with the
    /// reason they are known private (or, for IAM, only listed).
    pub undetermined: Vec<String>,
    pub listener_ports: BTreeMap<String, BTreeSet<i64>>,
    /// Per platform: target port -> listener protocols that keep the client address.
    pub udp_target_ports: BTreeMap<String, BTreeMap<i64, BTreeSet<String>>>,
    pub violations: Vec<String>,
    /// Resources (`file: type.name`) with a violation, for the what-if runs.
    violating: BTreeSet<String>,
    /// Rules whose source range could not be evaluated, judged after the module.
    pending: Vec<Pending>,
}

/// A rule whose source range could not be evaluated.
struct Pending {
    resource: String,
    at: String,
    deps: BTreeSet<Dep>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports: Vec<String> = self
            .listener_ports
            .iter()
            .map(|(p, ports)| format!("{p} {ports:?}"))
            .collect();
        let udp: Vec<String> = self
            .udp_target_ports
            .iter()
            .map(|(p, ports)| format!("{p} {:?}", ports.keys().collect::<Vec<_>>()))
            .collect();
        let roles: Vec<String> = self.roles.iter().map(|(r, n)| format!("{r} {n}")).collect();
        write!(
            f,
            "module policies: {} modules; IAM: {} statements, {} service-wide wildcards on * (e.g. kms:* in key policies), 0 allowed `*` on `*` expected; ingress: {} rules ({}), open to the world only on load balancer groups' listener ports: {} ({}), on UDP/QUIC targets (client address kept): {} ({}), {} NACL reply ranges; undetermined {} (source ranges each kept private by an input validation or the VPC's own block); violations {}",
            self.modules,
            self.statements,
            self.service_wildcards,
            self.ingress_rules,
            roles.join(", "),
            self.open_on_listener_ports,
            ports.join("; "),
            self.open_on_udp_targets,
            udp.join("; "),
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
        let (ports, udp) = listeners(s);
        r.listener_ports
            .entry(s.platform.clone())
            .or_default()
            .extend(ports);
        let targets = r.udp_target_ports.entry(s.platform.clone()).or_default();
        for (port, protocols) in udp {
            targets.entry(port).or_default().extend(protocols);
        }
    }
    for s in sources {
        iam(s, &mut r);
        let public = Public {
            listener: r
                .listener_ports
                .get(&s.platform)
                .cloned()
                .unwrap_or_default(),
            udp_targets: r
                .udp_target_ports
                .get(&s.platform)
                .cloned()
                .unwrap_or_default(),
        };
        ingress(s, &s.module, &public, &mut r);
        let pending = std::mem::take(&mut r.pending);
        if !pending.is_empty() {
            undetermined(s, &public, pending, &mut r);
        }
    }
    r
}

/// The platform's public listener ports, and the target ports of its listeners that
/// keep the client address (with their protocols).
fn listeners(s: &Source) -> (BTreeSet<i64>, BTreeMap<i64, BTreeSet<String>>) {
    let mut ports = BTreeSet::new();
    let mut udp: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    let m = &s.module;
    let mut keep = |protocol: Option<V>, target: Option<f64>| {
        let (Some(protocol), Some(target)) = (protocol, target) else {
            return;
        };
        for p in protocol.strings() {
            let p = p.to_ascii_uppercase();
            if PRESERVES_CLIENT.contains(&p.as_str()) {
                udp.entry(target as i64).or_default().insert(p);
            }
        }
    };
    for (ty, _, _, body) in blocks_of(s, "resource") {
        for scope in instances(m, body) {
            match ty.as_str() {
                "aws_lb_listener" => {
                    let port = eval_attr(m, body, "port", &scope).and_then(|v| v.as_num());
                    if let Some(p) = port {
                        ports.insert(p as i64);
                    }
                    keep(eval_attr(m, body, "protocol", &scope), port);
                }
                "trustchain_quic_load_balancer" => {
                    for (l, ls) in nested(m, body, "listener", &scope) {
                        let port = eval_attr(m, l, "port", &ls).and_then(|v| v.as_num());
                        if let Some(p) = port {
                            ports.insert(p as i64);
                        }
                        let target = eval_attr(m, l, "target_port", &ls)
                            .and_then(|v| v.as_num())
                            .or(port);
                        keep(eval_attr(m, l, "protocol", &ls), target);
                    }
                }
                _ => {}
            }
        }
    }
    (ports, udp)
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

/// The platform's public side: load balancer listener ports, and the target ports of
/// listeners that keep the client address.
struct Public {
    listener: BTreeSet<i64>,
    udp_targets: BTreeMap<i64, BTreeSet<String>>,
}

/// Where a rule admits traffic: a security group of some role, or a network ACL.
enum Target {
    Group(Role),
    Nacl,
}

/// One ingress rule: where, from which ranges (with the expressions they come from,
/// for the undetermined ones), which ports.
struct Rule<'a> {
    at: &'a str,
    /// `file: type.name`
    resource: &'a str,
    into: Target,
    cidrs: Vec<Option<V>>,
    /// The source-range expressions and what scopes them (`for_each`, `count`, a
    /// `dynamic` block's `for_each`).
    sources: Vec<&'a Expression>,
    protocol: Option<V>,
    from: Option<V>,
    to: Option<V>,
}

fn ingress_rule(m: &Module, r: &mut Report, rule: Rule, public: &Public) {
    r.ingress_rules += 1;
    let at = rule.at;
    let nacl = matches!(rule.into, Target::Nacl);
    let role = match &rule.into {
        Target::Group(role) => role.to_string(),
        Target::Nacl => "network ACL".to_string(),
    };
    *r.roles.entry(role.clone()).or_default() += 1;
    let values: Vec<&V> = rule.cidrs.iter().flatten().collect();
    if values.iter().any(|v| contains_unknown(v)) {
        let mut deps = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for e in &rule.sources {
            collect_deps(m, e, &mut deps, &mut seen);
        }
        r.pending.push(Pending {
            resource: rule.resource.to_string(),
            at: at.to_string(),
            deps,
        });
    }
    let open: Vec<String> = values
        .iter()
        .flat_map(|v| v.strings())
        .filter(|c| OPEN.contains(&c.as_str()))
        .collect();
    if open.is_empty() {
        return;
    }
    let proto = rule.protocol.as_ref().and_then(|p| match p {
        V::Str(s) => Some(s.to_ascii_lowercase()),
        V::Num(n) => Some(format!("{}", *n as i64)),
        _ => None,
    });
    let (from, to) = (
        rule.from.and_then(|v| v.as_num()),
        rule.to.and_then(|v| v.as_num()),
    );
    let all_ports = matches!(proto.as_deref(), Some("-1" | "all"));
    let ports = match (from, to) {
        (Some(f), Some(t)) if !all_ports => Some((f as i64, t as i64)),
        _ => None,
    };
    let what = match (ports, proto.clone()) {
        (Some((f, t)), Some(p)) if f == t => format!("{p} port {f}"),
        (Some((f, t)), Some(p)) => format!("{p} ports {f}-{t}"),
        (_, p) => format!("all ports (protocol {})", p.unwrap_or_else(|| "?".into())),
    };
    let on_listeners = |(f, t): (i64, i64)| (f..=t).all(|p| public.listener.contains(&p));
    // A UDP/QUIC listener's targets see the client's address: the client range must
    // be admitted on the target port, for the protocols the listener carries.
    let on_udp_targets = |(f, t): (i64, i64)| {
        (f..=t).all(|p| {
            public.udp_targets.get(&p).is_some_and(|protocols| {
                protocols.iter().any(|l| match proto.as_deref() {
                    Some("udp" | "17") => true,
                    Some("tcp" | "6") => l.starts_with("TCP_"),
                    _ => false,
                })
            })
        })
    };
    let before = r.violations.len();
    match (&rule.into, ports) {
        (Target::Nacl, Some(p)) if on_listeners(p) => r.open_on_listener_ports += 1,
        (Target::Nacl, Some((f, 65535))) if f >= 1024 => r.nacl_replies += 1,
        (Target::Group(Role::LoadBalancer), Some(p)) if on_listeners(p) => {
            r.open_on_listener_ports += 1
        }
        (Target::Group(Role::Instance), Some(p)) if on_udp_targets(p) => r.open_on_udp_targets += 1,
        (Target::Nacl, _) | (Target::Group(Role::LoadBalancer), _) => r.violations.push(format!(
            "{at}: ingress from {} on {what} of the {role}{}, not a public listener port ({:?})",
            open.join(", "),
            if nacl { "" } else { " security group" },
            public.listener
        )),
        (Target::Group(Role::Instance), _) => r.violations.push(format!(
            "{at}: ingress from {} on {what} of the instance security group: only load balancers take traffic from anywhere; instances admit the clients only behind a UDP/QUIC listener that keeps the client address, on its target port ({:?})",
            open.join(", "),
            public.udp_targets.keys().collect::<Vec<_>>()
        )),
        (Target::Group(_), _) => r.violations.push(format!(
            "{at}: ingress from {} on {what} of the {role} security group, which is never open to the world",
            open.join(", "),
        )),
    }
    if r.violations.len() > before {
        r.violating.insert(rule.resource.to_string());
        r.violating.insert(at.to_string());
    }
}

const OPEN: &[&str] = super::OPEN;

fn contains_unknown(v: &V) -> bool {
    match v {
        V::Unknown(_) => true,
        V::List(l) | V::Either(l) => l.iter().any(contains_unknown),
        V::Obj(m) => m.values().any(contains_unknown),
        _ => false,
    }
}

/// Attributes AWS itself fills with a VPC's own address block, never a world range:
/// a VPC's IPv4 block is a /16 to /28 and its IPv6 block a /44 to /60 (Amazon VPC user
/// guide, "VPC CIDR blocks"), and `trustchain_ipv6_network.ipv6_cidr_block` is that block.
const VPC_BLOCKS: &[&str] = &[
    "trustchain_ipv6_network.ipv6_cidr_block",
    "aws_vpc.cidr_block",
    "aws_vpc.ipv6_cidr_block",
];

/// What a value depends on that the evaluator cannot know.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Dep {
    /// `var.NAME`
    Var(String),
    /// `TYPE.ATTRIBUTE` of another resource, or `data.TYPE.ATTRIBUTE`
    Attr(String),
}

/// Judges the rules whose source range could not be evaluated. Each input without a
/// default that could be a range (string, list, set or map) is set, in turn, to `::/0`
/// and to `0.0.0.0/0`, and the module's ingress rules checked again: where that makes
/// a rule break the role rules, the input must have a validation that refuses that
/// value. What stays unknown comes from other resources' attributes, which must be a
/// VPC's own block.
fn undetermined(s: &Source, public: &Public, pending: Vec<Pending>, r: &mut Report) {
    let mut why: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, input) in &s.inputs {
        if input.default.is_some() {
            continue;
        }
        // Per rule: the world values the input's validation lets through.
        let mut accepted: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (candidate, shown) in world_candidates(input.ty.as_ref()) {
            let with = with_input(&s.module, name, candidate);
            let mut scratch = Report::default();
            ingress(s, &with, public, &mut scratch);
            // A rule whose instances could not be enumerated is matched by resource.
            let opened = |p: &&Pending| {
                scratch.violating.contains(&p.at)
                    || (p.at.ends_with("[\"?\"]") && scratch.violating.contains(&p.resource))
            };
            for p in pending.iter().filter(opened) {
                if refuses(&with, input) {
                    why.entry(p.at.clone())
                        .or_default()
                        .push(format!("var.{name} validated private"));
                } else {
                    accepted.entry(&p.at).or_default().push(shown.clone());
                }
            }
        }
        for (at, values) in accepted {
            let values = values.join(" or ");
            wrong
                .entry(at.to_string())
                .or_default()
                .push(if input.conditions.is_empty() {
                    format!("var.{name} has no validation: {values} would open it to the world")
                } else {
                    format!(
                        "var.{name}'s validation accepts {values}, which would open it to the world"
                    )
                });
        }
    }
    for p in pending {
        let mut reasons = why.remove(&p.at).unwrap_or_default();
        let mut problems = wrong.remove(&p.at).unwrap_or_default();
        let mut inputs = false;
        for d in &p.deps {
            match d {
                Dep::Var(name) => {
                    inputs |= s.inputs.get(name).is_some_and(|i| i.default.is_none());
                }
                Dep::Attr(a) if VPC_BLOCKS.contains(&a.as_str()) => {
                    reasons.push(format!("{a} is the VPC's own block"));
                }
                Dep::Attr(a) => problems.push(format!("{a} is not known offline")),
            }
        }
        let attrs = p.deps.iter().any(|d| matches!(d, Dep::Attr(_)));
        if !inputs && !attrs {
            problems.push("every input has a default, yet the range could not be evaluated (teach module_policies/eval.rs the expression)".into());
        }
        if problems.is_empty() {
            reasons.dedup();
            if reasons.is_empty() {
                reasons.push("no input opens it to the world".into());
            }
            r.undetermined
                .push(format!("{}: {}", p.at, reasons.join(", ")));
        } else {
            problems.dedup();
            r.violations.push(format!(
                "{}: source range undetermined and not shown private: {} (add a validation that refuses ::/0 and 0.0.0.0/0 to the input)",
                p.at,
                problems.join("; ")
            ));
        }
    }
}

/// The module with one input set to `value`.
fn with_input(m: &Module, name: &str, value: Expression) -> Module {
    let mut defaults = m.defaults.clone();
    defaults.insert(name.to_string(), Some(value));
    Module {
        defaults,
        locals: m.locals.clone(),
        cache: Default::default(),
    }
}

/// The world ranges an input must refuse, shaped as its type.
fn world_candidates(ty: Option<&Expression>) -> Vec<(Expression, String)> {
    let ty = ty.map(|t| format!("{t}")).unwrap_or_default();
    OPEN.iter()
        .filter_map(|c| {
            let s = Expression::String(c.to_string());
            Some(match ty.as_str() {
                "string" => (s, format!("{c:?}")),
                "list(string)" | "set(string)" => (Expression::Array(vec![s]), format!("[{c:?}]")),
                "map(string)" => (
                    Expression::Object(
                        [(hcl::expr::ObjectKey::from("k"), s)].into_iter().collect(),
                    ),
                    format!("{{ k = {c:?} }}"),
                ),
                // Numbers, booleans and objects are never a source range.
                _ => return None,
            })
        })
        .collect()
}

/// Whether some validation of the input is false in `with` (the module with the input
/// set to the value tried).
fn refuses(with: &Module, input: &Input) -> bool {
    input
        .conditions
        .iter()
        .any(|c| with.eval(c, &Scope::new()) == V::Bool(false))
}

/// The inputs and other resources' attributes an expression reads, through locals.
fn collect_deps(m: &Module, e: &Expression, out: &mut BTreeSet<Dep>, seen: &mut BTreeSet<String>) {
    let mut walk = |x: &Expression| collect_deps(m, x, out, seen);
    match e {
        Expression::Array(items) => items.iter().for_each(&mut walk),
        Expression::Object(o) => {
            for (k, v) in o {
                if let hcl::expr::ObjectKey::Expression(k) = k {
                    walk(k);
                }
                walk(v);
            }
        }
        Expression::TemplateExpr(t) => {
            if let Ok(template) = hcl::template::Template::from_expr(t) {
                for el in template.elements() {
                    if let hcl::template::Element::Interpolation(i) = el {
                        walk(&i.expr);
                    }
                }
            }
        }
        Expression::Traversal(t) => {
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op {
                    walk(i);
                }
            }
            let Expression::Variable(root) = &t.expr else {
                walk(&t.expr);
                return;
            };
            let names: Vec<&str> = t
                .operators
                .iter()
                .map_while(|op| match op {
                    TraversalOperator::GetAttr(n) => Some(n.as_str()),
                    TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => Some(""),
                    _ => None,
                })
                .filter(|n| !n.is_empty())
                .collect();
            match (root.as_str(), names.as_slice()) {
                ("var", [name, ..]) => {
                    out.insert(Dep::Var(name.to_string()));
                }
                ("local", [name, ..]) => {
                    if seen.insert(format!("local.{name}"))
                        && let Some(le) = m.locals.get(*name)
                    {
                        collect_deps(m, le, out, seen);
                    }
                }
                ("each" | "count" | "path" | "terraform" | "self", _) => {}
                ("data", [ty, _, attr, ..]) => {
                    out.insert(Dep::Attr(format!("data.{ty}.{attr}")));
                }
                (ty, [_, attr, ..]) if ty.contains('_') => {
                    out.insert(Dep::Attr(format!("{ty}.{attr}")));
                }
                // A `for` or `dynamic` iterator: its collection is walked at its source.
                _ => {}
            }
        }
        Expression::FuncCall(f) => f.args.iter().for_each(&mut walk),
        Expression::Parenthesis(x) => walk(x),
        Expression::Conditional(c) => {
            walk(&c.cond_expr);
            walk(&c.true_expr);
            walk(&c.false_expr);
        }
        Expression::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => walk(&u.expr),
            hcl::expr::Operation::Binary(b) => {
                walk(&b.lhs_expr);
                walk(&b.rhs_expr);
            }
        },
        Expression::ForExpr(f) => {
            walk(&f.collection_expr);
            if let Some(k) = &f.key_expr {
                walk(k);
            }
            walk(&f.value_expr);
            if let Some(c) = &f.cond_expr {
                walk(c);
            }
        }
        _ => {}
    }
}

/// The source-range expressions of a rule, and what scopes them.
fn rule_sources<'a>(
    b: &'a hcl::Body,
    keys: &[&str],
    scoping: &[&'a Expression],
    extra: &[&'a Expression],
) -> Vec<&'a Expression> {
    let mut v: Vec<&Expression> = keys.iter().filter_map(|k| attr(b, k)).collect();
    v.extend(scoping.iter().copied());
    v.extend(extra.iter().copied());
    v
}

fn ingress(s: &Source, m: &Module, public: &Public, r: &mut Report) {
    for (ty, name, file, body) in blocks_of(s, "resource") {
        // What scopes every instance: `for_each` / `count` (their inputs count as
        // sources of a range read through `each` or `count`).
        let scoping: Vec<&Expression> = ["for_each", "count"]
            .iter()
            .filter_map(|k| attr(body, k))
            .collect();
        for scope in instances(m, body) {
            let at = format!("{file}: {}", address(&ty, &name, &scope, false));
            let resource = format!("{file}: {ty}.{name}");
            let get = |b: &hcl::Body, k: &str, sc: &Scope| eval_attr(m, b, k, sc);
            let group = || group_of(m, attr(body, "security_group_id"), &scope);
            match ty.as_str() {
                "aws_vpc_security_group_ingress_rule" => {
                    let keys = ["cidr_ipv4", "cidr_ipv6"];
                    let rule = Rule {
                        at: &at,
                        resource: &resource,
                        into: Target::Group(group()),
                        cidrs: keys.iter().map(|k| get(body, k, &scope)).collect(),
                        sources: rule_sources(body, &keys, &scoping, &[]),
                        protocol: get(body, "ip_protocol", &scope),
                        from: get(body, "from_port", &scope),
                        to: get(body, "to_port", &scope),
                    };
                    ingress_rule(m, r, rule, public);
                }
                "aws_security_group_rule"
                    if get(body, "type", &scope) == Some(V::Str("ingress".into())) =>
                {
                    let keys = ["cidr_blocks", "ipv6_cidr_blocks"];
                    let rule = Rule {
                        at: &at,
                        resource: &resource,
                        into: Target::Group(group()),
                        cidrs: keys.iter().map(|k| get(body, k, &scope)).collect(),
                        sources: rule_sources(body, &keys, &scoping, &[]),
                        protocol: get(body, "protocol", &scope),
                        from: get(body, "from_port", &scope),
                        to: get(body, "to_port", &scope),
                    };
                    ingress_rule(m, r, rule, public);
                }
                "aws_network_acl_rule" if get(body, "egress", &scope) != Some(V::Bool(true)) => {
                    let keys = ["cidr_block", "ipv6_cidr_block"];
                    let rule = Rule {
                        at: &at,
                        resource: &resource,
                        into: Target::Nacl,
                        cidrs: keys.iter().map(|k| get(body, k, &scope)).collect(),
                        sources: rule_sources(body, &keys, &scoping, &[]),
                        protocol: get(body, "protocol", &scope),
                        from: get(body, "from_port", &scope),
                        to: get(body, "to_port", &scope),
                    };
                    ingress_rule(m, r, rule, public);
                }
                "aws_security_group" | "aws_default_security_group" | "aws_network_acl" => {
                    let nacl = ty == "aws_network_acl";
                    let keys: [&str; 2] = if nacl {
                        ["cidr_block", "ipv6_cidr_block"]
                    } else {
                        ["cidr_blocks", "ipv6_cidr_blocks"]
                    };
                    let key = match scope.get("each") {
                        Some(V::Obj(e)) => e.get("key").and_then(|k| k.as_str().map(String::from)),
                        _ => None,
                    };
                    let dynamics: Vec<&Expression> = body
                        .blocks()
                        .filter(|b| b.identifier() == "dynamic")
                        .filter_map(|b| attr(&b.body, "for_each"))
                        .collect();
                    for (b, bs) in nested(m, body, "ingress", &scope) {
                        let rule = Rule {
                            at: &at,
                            resource: &resource,
                            into: if nacl {
                                Target::Nacl
                            } else {
                                Target::Group(role_of(&ty, &name, key.as_deref()))
                            },
                            cidrs: keys.iter().map(|k| get(b, k, &bs)).collect(),
                            sources: rule_sources(b, &keys, &scoping, &dynamics),
                            protocol: get(b, "protocol", &bs),
                            from: get(b, "from_port", &bs),
                            to: get(b, "to_port", &bs),
                        };
                        ingress_rule(m, r, rule, public);
                    }
                }
                _ => {}
            }
        }
    }
}
