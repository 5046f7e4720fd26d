//! `UpgradeResourceState`: state JSON written by any provider version, decoded
//! leniently against the current schema (the default upgrade path). Input: one
//! byte choosing the stored schema version, then `RawState.json`.
//! Invariant: accepted state encodes as the msgpack the RPC answers with.

use crate::Target;
use tfplugin::provider::upgrade_same_version;
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::{self, Type};

pub const TARGET: Target = Target {
    name: "raw_state_upgrade",
    about: "tfplugin::provider::upgrade_same_version (lenient JSON) + msgpack answer",
    run,
    seeds,
    dictionary: &[
        b"\"id\":",
        b"\"tags_all\":",
        b"\"subnet\":[{",
        b"\"timeouts\":{\"create\":\"30m\"}",
        b"\"secret\":\"s3cr3t\"",
        b"\"removed_in_v1\":[1,{\"x\":null}]",
        b"\"ports\":[443,443]",
        b"null",
        b"\"\"",
    ],
};

/// A schema shaped like the provider's resources: primitives, collections, a
/// nested list block, a single block, timeouts, a write-only attribute.
fn schema() -> Schema {
    let strings = Type::map(Type::String);
    Schema::new(
        Block::new()
            .attribute(Attribute::computed("id", Type::String))
            .attribute(Attribute::required("cidr_block", Type::String))
            .attribute(Attribute::optional("tags", strings.clone()))
            .attribute(Attribute::computed("tags_all", strings))
            .attribute(Attribute::optional("ports", Type::set(Type::Number)))
            .attribute(Attribute::optional("enabled", Type::Bool))
            .attribute(Attribute::optional("secret", Type::String).write_only())
            .block(NestedBlock::list(
                "subnet",
                Block::new()
                    .attribute(Attribute::required("az", Type::String))
                    .attribute(Attribute::computed("ipv6_cidr_block", Type::String))
                    .attribute(Attribute::optional("weights", Type::list(Type::Number))),
            ))
            .block(NestedBlock::single(
                "options",
                Block::new().attribute(Attribute::optional("dns64", Type::Bool)),
            ))
            .timeouts(&["create", "delete"]),
    )
    .version(1)
}

fn run(data: &[u8]) {
    let Some((&version, json)) = data.split_first() else {
        return;
    };
    let schema = schema();
    let ty = schema.value_type();
    // Versions -1..=2 around the current 1: older, current, newer.
    let version = i64::from(version % 4) - 1;
    let Ok(state) = upgrade_same_version(
        "trustchain_fuzz",
        "state",
        version,
        schema.version,
        json,
        &ty,
    ) else {
        return;
    };
    value::encode_msgpack(&state, &ty)
        .unwrap_or_else(|e| panic!("upgraded state has no msgpack form: {e}"));
}

fn seeds() -> Vec<Vec<u8>> {
    let mut full = vec![1u8];
    full.extend_from_slice(
        br#"{"id":"net-1","cidr_block":"2600:1f18::/56","tags":{"Name":"a"},"tags_all":{"Name":"a"},"ports":[443,8443],"enabled":true,"secret":null,"subnet":[{"az":"us-east-1a","ipv6_cidr_block":"2600:1f18::/64","weights":[1,2.5]}],"options":{"dns64":false},"timeouts":{"create":"30m","delete":null}}"#,
    );
    let mut old = vec![0u8];
    old.extend_from_slice(br#"{"id":"net-1","cidr_block":"10.0.0.0/16","removed_in_v1":[1],"subnet":[]}"#);
    let mut newer = vec![2u8];
    newer.extend_from_slice(b"{}");
    vec![full, old, newer]
}
