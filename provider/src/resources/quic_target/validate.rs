//! Checks of a target configuration that need no AWS call (values may be unknown).
//! The group's protocol and, for ip targets, its VPC are checked at plan time in `plan`.

use super::model::{TargetModel, valid_server_id};
use tfplugin::diag::Diagnostics;
use tfplugin::value::{Attr, AttributePath};

/// Checks that need no AWS call.
pub fn check(m: &TargetModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Attr::Known(s) = &m.quic_server_id
        && !valid_server_id(s)
    {
        d.error_at(
            AttributePath::root().attr("quic_server_id"),
            "Invalid QUIC server ID",
            format!("{s:?} must be 0x followed by 16 lowercase hexadecimal digits, e.g. \"0x0123456789abcdef\" (or leave quic_server_id out to derive one)."),
        );
    }
    if let Attr::Known(p) = &m.port
        && !(1..=65535).contains(p)
    {
        d.error_at(
            AttributePath::root().attr("port"),
            "Invalid port",
            format!("{p} is out of range: AWS accepts 1-65535."),
        );
    }
    if let Attr::Known(tg) = &m.target_group_arn
        && !tg.contains(":targetgroup/")
    {
        d.error_at(
            AttributePath::root().attr("target_group_arn"),
            "Invalid target group ARN",
            format!("{tg:?} is not a target group ARN; use e.g. trustchain_quic_load_balancer.this.listeners[\"8853\"].target_group_arn."),
        );
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq-8853/abc";

    fn found(v: serde_json::Value) -> Vec<(String, String)> {
        let m: TargetModel =
            tfplugin::framework::model_from_json(&super::super::schema::schema(), &v)
                .expect("model");
        crate::resources::plan_testing::summaries_at(&check(&m))
    }

    #[test]
    fn a_valid_registration_passes() {
        for port in [1, 8853, 65535] {
            let d = found(
                json!({"target_group_arn": TG, "target_id": "i-0123456789abcdef0",
                                 "port": port, "quic_server_id": "0x0123456789abcdef"}),
            );
            assert_eq!(d, [], "{port}");
        }
    }

    #[test]
    fn server_id_port_and_group_arn_are_errors_at_their_attribute() {
        let d = found(
            json!({"target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/doq/1",
                             "target_id": "i-1", "port": 0, "quic_server_id": "0x0123"}),
        );
        assert_eq!(
            d,
            [
                ("Invalid QUIC server ID".into(), "quic_server_id".into()),
                ("Invalid port".into(), "port".into()),
                ("Invalid target group ARN".into(), "target_group_arn".into()),
            ]
        );
        let d = found(json!({"target_group_arn": TG, "target_id": "i-1", "port": 65536}));
        assert_eq!(d, [("Invalid port".into(), "port".into())]);
    }
}
