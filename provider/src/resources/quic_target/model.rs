//! The target's typed model, identity, schema, the facts about its target group the
//! provider keeps in private state, and the derived QUIC server ID.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tfplugin::framework::Timeouts;
use tfplugin::value::Attr;

pub const TYPE_NAME: &str = "trustchain_quic_target";

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TargetModel {
    pub id: Attr<String>,
    pub target_group_arn: Attr<String>,
    pub target_id: Attr<String>,
    pub port: Attr<i64>,
    pub availability_zone: Attr<String>,
    pub quic_server_id: Attr<String>,
    pub timeouts: Attr<Timeouts>,
}

/// A registration is one target on one port of one target group.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct TargetIdentity {
    pub target_group_arn: String,
    pub target_id: String,
    pub port: i64,
}

/// What the provider knows about the target group (private state), so plans need
/// not ask AWS again: its protocol decides whether a server ID is required.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct GroupInfo {
    pub target_group_arn: String,
    pub protocol: String,
    pub port: i64,
}

impl GroupInfo {
    pub fn is_quic(&self) -> bool {
        self.protocol == "QUIC" || self.protocol == "TCP_QUIC"
    }

    pub fn from_private(private: &[u8], tg: &str) -> Option<GroupInfo> {
        serde_json::from_slice::<GroupInfo>(private)
            .ok()
            .filter(|g| g.target_group_arn == tg)
    }

    pub fn to_private(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl TargetModel {
    pub fn identity(&self) -> Option<TargetIdentity> {
        Some(TargetIdentity {
            target_group_arn: self.target_group_arn.known()?.clone(),
            target_id: self.target_id.known()?.clone(),
            port: *self.port.known()?,
        })
    }
}

pub fn id_of(tg: &str, target: &str, port: i64) -> String {
    format!("{tg}/{target}/{port}")
}

/// `target_group_arn/target_id/port` (the ARN has slashes; the others have none).
pub fn parse_id(id: &str) -> Option<TargetIdentity> {
    let mut parts = id.rsplitn(3, '/');
    let port = parts.next()?.parse().ok()?;
    let target_id = parts.next()?.to_string();
    let target_group_arn = parts.next()?.to_string();
    (target_group_arn.contains(":targetgroup/") && !target_id.is_empty()).then_some(
        TargetIdentity {
            target_group_arn,
            target_id,
            port,
        },
    )
}

/// The QUIC server ID of a target that names none: a digest of the target and its
/// port, so it is the same in every plan, differs between targets of a group, and
/// can be computed by whoever configures the server (SHA-256 of
/// "trustchain-quic-server-id\0TARGET_ID\0PORT", first 8 bytes, lowercase hex).
pub fn derived_server_id(target_id: &str, port: i64) -> String {
    let digest = Sha256::digest(format!("trustchain-quic-server-id\0{target_id}\0{port}"));
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("0x{hex}")
}

pub fn valid_server_id(s: &str) -> bool {
    s.len() == 18
        && s.starts_with("0x")
        && s[2..]
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_server_ids_are_stable_well_formed_and_differ_per_target() {
        let a = derived_server_id("i-0123456789abcdef0", 8853);
        assert_eq!(a, derived_server_id("i-0123456789abcdef0", 8853));
        assert!(valid_server_id(&a), "{a}");
        assert_ne!(a, derived_server_id("i-0123456789abcdef1", 8853));
        assert_ne!(a, derived_server_id("i-0123456789abcdef0", 8444));
        // Pinned (python3: hashlib.sha256(b"trustchain-quic-server-id\0i-0123456789abcdef0\08853")):
        // the formula is documented, and servers compute it too.
        assert_eq!(a, "0xae508595e2fb104c");
    }

    #[test]
    fn server_ids_are_0x_and_16_lowercase_hex() {
        assert!(valid_server_id("0x0123456789abcdef"));
        for bad in [
            "0x0123456789ABCDEF",
            "0123456789abcdef00",
            "0x0123",
            "0x0123456789abcdeg",
        ] {
            assert!(!valid_server_id(bad), "{bad}");
        }
    }

    #[test]
    fn import_ids_split_at_the_last_two_slashes() {
        let tg =
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq-8853-abc/0123";
        assert_eq!(
            parse_id(&format!("{tg}/2600:1f18::10/8853")),
            Some(TargetIdentity {
                target_group_arn: tg.into(),
                target_id: "2600:1f18::10".into(),
                port: 8853
            })
        );
        assert_eq!(
            parse_id(&id_of(tg, "i-1", 8444)).map(|i| i.port),
            Some(8444)
        );
        assert_eq!(parse_id("i-1/8853"), None);
        assert_eq!(parse_id(&format!("{tg}/i-1/http")), None);
    }
}
