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
