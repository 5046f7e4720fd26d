//! What each resource costs a month: the priced dimensions of the resource types the
//! modules create, read from the instance's arguments as the evaluator sees them.

use hcl::expr::TraversalOperator;
use hcl::{Body, Expression};
use serde::Serialize;

use super::prices::Prices;
use crate::eval::{Module, Scope, V, attr, expand, nested};
use crate::review::config::Config;

/// One priced dimension of one resource instance.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    /// The module call (`hsm`) or `(root)`.
    pub module: String,
    pub address: String,
    pub price: String,
    pub what: String,
    pub quantity: f64,
    pub unit: String,
    pub usd: f64,
    /// The stated usage assumption of a usage-driven item.
    pub assumption: Option<String>,
}

/// One module instance being priced.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub module: &'a Module,
    pub prices: &'a Prices,
    pub call: &'a str,
}

#[derive(Default)]
pub struct Out {
    pub lines: Vec<Line>,
    /// What could not be determined, and what was assumed instead.
    pub notes: Vec<String>,
    /// Resource types without a pricing rule -> instances.
    pub unpriced: std::collections::BTreeMap<String, usize>,
    /// Module call -> the module directory it calls (relative to the tree).
    pub calls: std::collections::BTreeMap<String, String>,
}

/// Types that cost nothing by themselves (or only through what they configure).
const FREE: &[&str] = &[
    "aws_iam_",
    "aws_security_group",
    "aws_vpc_security_group_",
    "aws_default_security_group",
    "aws_route",
    "aws_subnet",
    "aws_vpc_ipv4_cidr_block_association",
    "aws_internet_gateway",
    "aws_vpc",
    "aws_ebs_encryption_by_default",
    "aws_ebs_default_kms_key",
    "aws_network_acl",
    "aws_s3_bucket_",
    "aws_sns_topic",
    "aws_acm_certificate",
    "aws_cloudwatch_event_",
    "aws_lb_listener",
    "aws_lb_target_group",
    "aws_placement_group",
    "aws_launch_template",
    "aws_autoscaling_policy",
    "aws_kms_alias",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
    "aws_config_delivery_channel",
    "aws_config_configuration_recorder_status",
    "aws_guardduty_detector_feature",
    "aws_backup_plan",
    "aws_backup_selection",
    "aws_backup_restore_testing_",
    "aws_db_subnet_group",
    "aws_db_parameter_group",
    "aws_elasticache_subnet_group",
    "aws_efs_mount_target",
    "aws_efs_file_system_policy",
    "aws_efs_backup_policy",
    "aws_ecr_lifecycle_policy",
    "aws_ecr_replication_configuration",
    "aws_eks_addon",
    "aws_route53_record",
    "aws_route53_key_signing_key",
    "aws_route53_hosted_zone_dnssec",
    "aws_route53_query_log",
    "aws_secretsmanager_secret_rotation",
    "aws_cloudfront_origin_access_control",
    "aws_cloudfront_response_headers_policy",
    "aws_budgets_budget",
    "aws_ce_anomaly_",
    "trustchain_cloudhsm_cluster",
    "trustchain_quic_target",
];

impl Ctx<'_> {
    fn eval(&self, body: &Body, name: &str, scope: &Scope) -> Option<V> {
        attr(body, name).map(|e| self.module.eval(e, scope))
    }
    fn num(&self, body: &Body, name: &str, scope: &Scope) -> Option<f64> {
        self.eval(body, name, scope).and_then(|v| v.as_num())
    }
    fn text(&self, body: &Body, name: &str, scope: &Scope) -> Option<String> {
        self.eval(body, name, scope)
            .and_then(|v| v.as_str().map(str::to_string))
    }
    fn flag(&self, body: &Body, name: &str, scope: &Scope) -> Option<bool> {
        match self.eval(body, name, scope) {
            Some(V::Bool(b)) => Some(b),
            _ => None,
        }
    }

    /// The bodies of a resource block of this module.
    fn resource(&self, ty: &str, name: &str) -> Option<&Body> {
        self.config.files.iter().find_map(|(_, body)| {
            body.blocks()
                .find(|b| {
                    b.identifier() == "resource"
                        && b.labels().first().map(|l| l.as_str()) == Some(ty)
                        && b.labels().get(1).map(|l| l.as_str()) == Some(name)
                })
                .map(|b| &b.body)
        })
    }

    /// The instance an expression such as `aws_launch_template.node[each.key].id`
    /// refers to, with its scope.
    fn referenced(&self, e: &Expression, scope: &Scope) -> Option<(&Body, Scope)> {
        let Expression::Traversal(t) = e else {
            return None;
        };
        let Expression::Variable(ty) = &t.expr else {
            return None;
        };
        let mut ops = t.operators.iter();
        let Some(TraversalOperator::GetAttr(name)) = ops.next() else {
            return None;
        };
        let key = match ops.next() {
            Some(TraversalOperator::Index(i)) => Some(self.module.eval(i, scope)),
            Some(TraversalOperator::LegacyIndex(i)) => Some(V::Num(*i as f64)),
            _ => None,
        };
        let body = self.resource(ty.as_str(), name.as_str())?;
        let instances = expand(self.module, body).instances;
        let chosen = match key {
            Some(k) => instances
                .into_iter()
                .find(|s| instance_key(s) == Some(k.clone())),
            None => instances.into_iter().next(),
        }?;
        Some((body, chosen))
    }

    /// A priced line; a key missing from the table becomes a note.
    fn line(&self, out: &mut Out, at: &str, key: &str, quantity: f64, what: String) {
        self.line_with(out, at, key, quantity, what, None);
    }

    fn line_with(
        &self,
        out: &mut Out,
        at: &str,
        key: &str,
        quantity: f64,
        what: String,
        assumption: Option<String>,
    ) {
        let Some(p) = self.prices.price(key) else {
            out.notes.push(format!(
                "{}: {at}: no price for {key} in the table",
                self.call
            ));
            return;
        };
        out.lines.push(Line {
            module: self.call.to_string(),
            address: at.to_string(),
            price: key.to_string(),
            what,
            quantity,
            unit: p.unit.clone(),
            usd: quantity * p.usd,
            assumption,
        });
    }

    /// A usage-driven line: the quantity is the stated assumption (times `per`).
    fn usage(&self, out: &mut Out, at: &str, key: &str, usage: &str, per: f64, what: &str) {
        let Some(u) = self.prices.usage(usage) else {
            out.notes
                .push(format!("{}: {at}: no usage assumption {usage}", self.call));
            return;
        };
        let assumption = format!("{} {}", fmt_qty(u.value), u.unit);
        self.line_with(
            out,
            at,
            key,
            u.value * per,
            what.to_string(),
            Some(assumption),
        );
    }

    fn hours(&self) -> f64 {
        self.prices.hours_per_month
    }
}

fn instance_key(s: &Scope) -> Option<V> {
    match (s.get("each"), s.get("count")) {
        (Some(V::Obj(e)), _) => e.get("key").cloned(),
        (_, Some(V::Obj(c))) => c.get("index").cloned(),
        _ => None,
    }
}

pub fn fmt_qty(q: f64) -> String {
    if q.fract() == 0.0 {
        format!("{}", q as i64)
    } else {
        format!("{q:.2}")
    }
}

/// Prices one resource instance.
pub fn resource(ctx: &Ctx, ty: &str, body: &Body, scope: &Scope, at: &str, out: &mut Out) {
    let h = ctx.hours();
    match ty {
        "trustchain_cloudhsm_hsm" | "aws_cloudhsm_v2_hsm" => {
            let cluster_ty = if ty.starts_with("trustchain") {
                "trustchain_cloudhsm_cluster"
            } else {
                "aws_cloudhsm_v2_cluster"
            };
            let hsm_type = ctx
                .config
                .files
                .iter()
                .flat_map(|(_, b)| b.blocks())
                .find(|b| {
                    b.identifier() == "resource"
                        && b.labels().first().map(|l| l.as_str()) == Some(cluster_ty)
                })
                .and_then(|b| {
                    let s = expand(ctx.module, &b.body).instances.into_iter().next()?;
                    ctx.text(&b.body, "hsm_type", &s)
                });
            let hsm_type = hsm_type.unwrap_or_else(|| {
                out.notes.push(format!(
                    "{}: {at}: HSM type unknown, priced as hsm2m.medium",
                    ctx.call
                ));
                "hsm2m.medium".into()
            });
            ctx.line(
                out,
                at,
                &format!("cloudhsm.{hsm_type}"),
                h,
                format!("HSM, {hsm_type}"),
            );
        }
        "aws_autoscaling_group" => {
            let n = ctx
                .num(body, "desired_capacity", scope)
                .or_else(|| ctx.num(body, "min_size", scope));
            let n = n.unwrap_or_else(|| {
                out.notes.push(format!(
                    "{}: {at}: desired capacity unknown, priced as 1 instance",
                    ctx.call
                ));
                1.0
            });
            let lt = nested(ctx.module, body, "launch_template", scope)
                .into_iter()
                .find_map(|(b, s)| {
                    attr(b, "id")
                        .or_else(|| attr(b, "name"))
                        .and_then(|e| ctx.referenced(e, &s))
                });
            match lt {
                Some((lt, ls)) => compute(ctx, lt, &ls, None, n, at, out),
                None => out.notes.push(format!(
                    "{}: {at}: launch template not found, instances not priced",
                    ctx.call
                )),
            }
        }
        "aws_instance" => compute(ctx, body, scope, None, 1.0, at, out),
        "aws_eks_node_group" => {
            let (mut n, mut first) = (None, None);
            for (b, s) in nested(ctx.module, body, "scaling_config", scope) {
                n = ctx.num(b, "desired_size", &s);
            }
            if let Some(V::List(types)) = ctx.eval(body, "instance_types", scope) {
                first = types.first().and_then(|t| t.as_str().map(str::to_string));
            }
            let spot = ctx.text(body, "capacity_type", scope).as_deref() == Some("SPOT");
            let n = n.unwrap_or_else(|| {
                out.notes.push(format!(
                    "{}: {at}: desired size unknown, priced as 1 node",
                    ctx.call
                ));
                1.0
            });
            let lt = nested(ctx.module, body, "launch_template", scope)
                .into_iter()
                .find_map(|(b, s)| attr(b, "id").and_then(|e| ctx.referenced(e, &s)));
            let spot = spot.then_some(true);
            match lt {
                Some((lt, ls)) => compute(ctx, lt, &ls, first.map(|t| (t, spot)), n, at, out),
                None => {
                    let t = first.unwrap_or_else(|| "t3.medium".into());
                    instances_line(ctx, out, at, &t, n, spot.unwrap_or(false));
                    let disk = ctx.num(body, "disk_size", scope).unwrap_or(20.0);
                    ctx.line(
                        out,
                        at,
                        "ebs.gp3.storage",
                        n * disk,
                        format!("{} × {disk} GB node disk", fmt_qty(n)),
                    );
                }
            }
        }
        "aws_eks_cluster" => ctx.line(out, at, "eks.cluster", h, "EKS control plane".into()),
        "aws_lb" => {
            match ctx
                .text(body, "load_balancer_type", scope)
                .as_deref()
                .unwrap_or("application")
            {
                "network" => nlb(ctx, out, at),
                "application" => {
                    ctx.line(
                        out,
                        at,
                        "lb.alb.hour",
                        h,
                        "Application Load Balancer".into(),
                    );
                    ctx.usage(out, at, "lb.alb.lcu", "alb_lcu", h, "ALB capacity units");
                }
                other => out.notes.push(format!(
                    "{}: {at}: {other} load balancer not priced",
                    ctx.call
                )),
            }
        }
        "trustchain_quic_load_balancer" => nlb(ctx, out, at),
        "aws_nat_gateway" => nat(ctx, out, at),
        "trustchain_ipv6_network" => {
            if ctx.flag(body, "enable_nat64", scope).unwrap_or(false) {
                nat(ctx, out, at);
                ctx.line(
                    out,
                    at,
                    "vpc.public_ipv4",
                    h,
                    "NAT64 gateway's Elastic IP".into(),
                );
            }
        }
        "aws_eip" => ctx.line(out, at, "vpc.public_ipv4", h, "public IPv4 address".into()),
        "aws_vpc_endpoint" => {
            let kind = ctx
                .text(body, "vpc_endpoint_type", scope)
                .unwrap_or_else(|| "Gateway".into());
            if kind == "Interface" {
                let azs = match ctx.eval(body, "subnet_ids", scope) {
                    Some(V::List(l)) if !l.is_empty() => Some(l.len() as f64),
                    _ => None,
                };
                match azs {
                    Some(n) => ctx.line(
                        out,
                        at,
                        "vpce.interface.hour",
                        n * h,
                        format!("interface endpoint in {} zones", fmt_qty(n)),
                    ),
                    None => ctx.usage(
                        out,
                        at,
                        "vpce.interface.hour",
                        "interface_endpoint_zones",
                        h,
                        "interface endpoint",
                    ),
                }
            }
        }
        "aws_db_instance" => database(ctx, body, scope, at, out),
        "aws_elasticache_replication_group" => {
            let node = ctx.text(body, "node_type", scope).unwrap_or_default();
            let nodes = match (
                ctx.num(body, "num_node_groups", scope),
                ctx.num(body, "replicas_per_node_group", scope),
            ) {
                (Some(g), Some(r)) => g * (1.0 + r),
                (Some(g), None) => g,
                _ => ctx.num(body, "num_cache_clusters", scope).unwrap_or(1.0),
            };
            ctx.line(
                out,
                at,
                &format!("elasticache.{node}"),
                nodes * h,
                format!("{} × {node} nodes (primaries and replicas)", fmt_qty(nodes)),
            );
        }
        "aws_kms_key" => {
            ctx.line(out, at, "kms.key", 1.0, "customer managed key".into());
            ctx.usage(
                out,
                at,
                "kms.requests",
                "kms_requests_10k",
                1.0,
                "KMS requests",
            );
        }
        "aws_wafv2_web_acl" => {
            let rules = nested(ctx.module, body, "rule", scope).len() as f64;
            ctx.line(out, at, "waf.acl", 1.0, "web ACL".into());
            ctx.line(
                out,
                at,
                "waf.rule",
                rules,
                format!("{} rules", fmt_qty(rules)),
            );
            ctx.usage(
                out,
                at,
                "waf.requests",
                "waf_requests_million",
                1.0,
                "WAF requests",
            );
        }
        "aws_route53_zone" => ctx.line(out, at, "route53.zone", 1.0, "hosted zone".into()),
        "aws_route53_health_check" => ctx.line(
            out,
            at,
            "route53.health_check",
            1.0,
            "health check (AWS endpoint)".into(),
        ),
        "aws_guardduty_detector" => {
            if ctx.flag(body, "enable", scope) != Some(false) {
                ctx.usage(
                    out,
                    at,
                    "guardduty.events",
                    "guardduty_events_million",
                    1.0,
                    "CloudTrail management events analysed",
                );
                ctx.usage(
                    out,
                    at,
                    "guardduty.logs",
                    "guardduty_logs_gb",
                    1.0,
                    "VPC flow and DNS logs analysed",
                );
            }
        }
        "aws_config_configuration_recorder" => ctx.usage(
            out,
            at,
            "config.item",
            "config_items",
            1.0,
            "configuration items recorded",
        ),
        "aws_config_config_rule" => ctx.usage(
            out,
            at,
            "config.evaluation",
            "config_evaluations_per_rule",
            1.0,
            "rule evaluations",
        ),
        "aws_cloudtrail" => {
            ctx.line(
                out,
                at,
                "cloudtrail.management",
                1.0,
                "first copy of management events (no charge)".into(),
            );
            let data = !nested(ctx.module, body, "advanced_event_selector", scope).is_empty()
                || nested(ctx.module, body, "event_selector", scope)
                    .iter()
                    .any(|(b, s)| !nested(ctx.module, b, "data_resource", s).is_empty());
            if data {
                ctx.usage(
                    out,
                    at,
                    "cloudtrail.data_events",
                    "cloudtrail_data_events_100k",
                    1.0,
                    "data events",
                );
            }
        }
        "aws_s3_bucket" => ctx.usage(
            out,
            at,
            "s3.standard",
            "s3_gb_per_bucket",
            1.0,
            "S3 Standard storage",
        ),
        "aws_backup_vault" => ctx.usage(
            out,
            at,
            "backup.storage",
            "backup_gb_per_vault",
            1.0,
            "backup storage",
        ),
        "aws_efs_file_system" => ctx.usage(
            out,
            at,
            "efs.standard",
            "efs_gb",
            1.0,
            "EFS Standard storage",
        ),
        "aws_ecr_repository" => ctx.usage(
            out,
            at,
            "ecr.storage",
            "ecr_gb_per_repository",
            1.0,
            "image storage",
        ),
        "aws_cloudwatch_log_group" => ctx.usage(
            out,
            at,
            "logs.ingest",
            "log_gb_per_group",
            1.0,
            "log ingestion",
        ),
        "aws_flow_log" => ctx.usage(
            out,
            at,
            "logs.ingest",
            "flow_log_gb",
            1.0,
            "flow log ingestion",
        ),
        "aws_cloudwatch_metric_alarm" => ctx.line(
            out,
            at,
            "cloudwatch.alarm",
            1.0,
            "standard-resolution alarm".into(),
        ),
        "aws_cloudwatch_composite_alarm" => ctx.line(
            out,
            at,
            "cloudwatch.composite_alarm",
            1.0,
            "composite alarm".into(),
        ),
        "aws_cloudwatch_dashboard" => {
            ctx.line(out, at, "cloudwatch.dashboard", 1.0, "dashboard".into())
        }
        "aws_secretsmanager_secret" => {
            ctx.line(out, at, "secretsmanager.secret", 1.0, "secret".into())
        }
        "aws_xray_sampling_rule" => ctx.usage(
            out,
            at,
            "xray.traces",
            "xray_traces_million",
            1.0,
            "traces recorded",
        ),
        "aws_cloudfront_distribution" => ctx.usage(
            out,
            at,
            "cloudfront.transfer",
            "cloudfront_gb",
            1.0,
            "data transfer out",
        ),
        other if FREE.iter().any(|f| other.starts_with(f)) => {}
        other => *out.unpriced.entry(other.to_string()).or_default() += 1,
    }
}

fn nlb(ctx: &Ctx, out: &mut Out, at: &str) {
    let h = ctx.hours();
    ctx.line(out, at, "lb.nlb.hour", h, "Network Load Balancer".into());
    ctx.usage(out, at, "lb.nlb.nlcu", "nlb_nlcu", h, "NLB capacity units");
}

fn nat(ctx: &Ctx, out: &mut Out, at: &str) {
    ctx.line(out, at, "nat.hour", ctx.hours(), "NAT gateway".into());
    ctx.usage(
        out,
        at,
        "nat.data",
        "nat_gb_per_gateway",
        1.0,
        "NAT data processed",
    );
}

fn instances_line(ctx: &Ctx, out: &mut Out, at: &str, ty: &str, n: f64, spot: bool) {
    let what = if spot {
        format!(
            "{} × {ty}, Spot (priced at on-demand: the ceiling of the Spot price)",
            fmt_qty(n)
        )
    } else {
        format!("{} × {ty}, on-demand", fmt_qty(n))
    };
    ctx.line(out, at, &format!("ec2.{ty}"), n * ctx.hours(), what);
}

/// Instances from a launch template (or an instance's own arguments), with their EBS.
fn compute(
    ctx: &Ctx,
    lt: &Body,
    scope: &Scope,
    from_group: Option<(String, Option<bool>)>,
    n: f64,
    at: &str,
    out: &mut Out,
) {
    let ty = ctx
        .text(lt, "instance_type", scope)
        .or_else(|| from_group.as_ref().map(|(t, _)| t.clone()));
    let spot = from_group.and_then(|(_, s)| s).unwrap_or(false)
        || !nested(ctx.module, lt, "instance_market_options", scope).is_empty();
    match ty {
        Some(t) => instances_line(ctx, out, at, &t, n, spot),
        None => out.notes.push(format!(
            "{}: {at}: instance type unknown, not priced",
            ctx.call
        )),
    }
    let mut volumes = Vec::new();
    for (m, ms) in nested(ctx.module, lt, "block_device_mappings", scope) {
        volumes.extend(nested(ctx.module, m, "ebs", &ms));
    }
    volumes.extend(nested(ctx.module, lt, "root_block_device", scope));
    for (v, vs) in volumes {
        let kind = ctx
            .text(v, "volume_type", &vs)
            .unwrap_or_else(|| "gp3".into());
        if kind != "gp3" {
            out.notes
                .push(format!("{}: {at}: {kind} volume priced as gp3", ctx.call));
        }
        let size = ctx.num(v, "volume_size", &vs).unwrap_or_else(|| {
            out.notes.push(format!(
                "{}: {at}: volume size unknown, priced as 8 GB",
                ctx.call
            ));
            8.0
        });
        let iops = ctx.num(v, "iops", &vs).unwrap_or(3000.0);
        let tput = ctx.num(v, "throughput", &vs).unwrap_or(125.0);
        let each = |q: f64| format!("{} × {}", fmt_qty(n), fmt_qty(q));
        ctx.line(
            out,
            at,
            "ebs.gp3.storage",
            n * size,
            format!("{} GB gp3", each(size)),
        );
        if iops > 3000.0 {
            ctx.line(
                out,
                at,
                "ebs.gp3.iops",
                n * (iops - 3000.0),
                format!("{} IOPS above the 3,000 included", each(iops - 3000.0)),
            );
        }
        if tput > 125.0 {
            ctx.line(
                out,
                at,
                "ebs.gp3.throughput",
                n * (tput - 125.0),
                format!("{} MB/s above the 125 included", each(tput - 125.0)),
            );
        }
    }
}

fn database(ctx: &Ctx, body: &Body, scope: &Scope, at: &str, out: &mut Out) {
    let h = ctx.hours();
    let source = attr(body, "replicate_source_db").and_then(|e| ctx.referenced(e, scope));
    let get = |name: &str| {
        ctx.eval(body, name, scope)
            .filter(|v| !matches!(v, V::Null))
            .or_else(|| source.as_ref().and_then(|(b, s)| ctx.eval(b, name, s)))
    };
    let class = get("instance_class")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let engine = get("engine")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "postgres".into());
    let multi = ctx.flag(body, "multi_az", scope).unwrap_or(false);
    let copies = if multi { 2.0 } else { 1.0 };
    let az = if multi {
        "Multi-AZ (primary and standby)"
    } else {
        "Single-AZ"
    };
    let role = if source.is_some() {
        "read replica, "
    } else {
        ""
    };
    ctx.line(
        out,
        at,
        &format!("rds.{engine}.{class}"),
        copies * h,
        format!("{class} {engine}, {role}{az}"),
    );
    match get("allocated_storage").and_then(|v| v.as_num()) {
        Some(gb) => ctx.line(
            out,
            at,
            "rds.gp3.storage",
            copies * gb,
            format!("{} × {} GB gp3", fmt_qty(copies), fmt_qty(gb)),
        ),
        None => out.notes.push(format!(
            "{}: {at}: allocated storage unknown, not priced",
            ctx.call
        )),
    }
}
