//! Two `terraform apply` runs against one S3 backend in the emulator with
//! `use_lockfile = true`. Terraform's S3 lock file is a PutObject with
//! `If-None-Match: *`: moto 5.2.5 honours it (412 PreconditionFailed when the key
//! exists, pinned below); the emulator makes the check and the write atomic
//! (tests/emulator/s3/conditional.py). While run A holds the lock, run B fails on it
//! at once with `-lock-timeout=0s`, and run C with a lock timeout waits and goes on
//! after A; the state is one lineage, one network, and nothing was created twice.
//! Figures go to target/reports/concurrent-runs.txt.

use acceptance::{Emulator, Workspace, provider_block, quickstart, write_report};
use serde_json::{Value, json};
use std::io::Read;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "concurrent/terraform.tfstate";

fn config(emu: &Emulator) -> String {
    let provider = provider_block(emu).replacen(
        "terraform {\n",
        &format!("terraform {{\n  backend \"s3\" {{\n    key          = \"{KEY}\"\n    use_lockfile = true\n  }}\n"),
        1,
    );
    // A NAT64 gateway takes a while to come up: A holds the lock meanwhile.
    format!(
        r#"{provider}
resource "trustchain_ipv6_network" "net" {{
  name               = "concurrent"
  availability_zones = ["us-east-1a"]
  enable_nat64       = true

  tier {{
    name        = "public"
    kind        = "public"
    ipv6_native = false
  }}

  tier {{
    name         = "app"
    kind         = "private"
    enable_dns64 = true
  }}
}}
"#
    )
}

fn workspace(emu: &Emulator) -> Workspace {
    let w = Workspace::new(&config(emu));
    w.write_file("emulator.s3.tfbackend", &quickstart::backend_config(emu));
    w.terraform(&[
        "init",
        "-no-color",
        "-input=false",
        "-backend-config=emulator.s3.tfbackend",
    ])
    .ok();
    w
}

fn object(emu: &Emulator, key: &str) -> Option<Value> {
    emu.try_call(
        "s3",
        "head_object",
        json!({"Bucket": quickstart::BUCKET, "Key": key}),
    )
    .ok()
}

/// The state as stored in S3 (get_object via boto3 gives the body as a string).
fn stored_state(emu: &Emulator) -> Value {
    let out = std::process::Command::new(acceptance::python_bin())
        .args([
            "-c",
            "import boto3,sys; print(boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='t', aws_secret_access_key='t').get_object(Bucket=sys.argv[2], Key=sys.argv[3])['Body'].read().decode())",
        ])
        .args([emu.url().as_str(), quickstart::BUCKET, KEY])
        .output()
        .expect("read the state object");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the stored state is JSON")
}

fn spawn_apply(w: &Workspace, extra: &str) -> Child {
    w.command(
        &["apply", "-auto-approve", "-no-color", "-input=false", extra],
        &[],
    )
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("start terraform apply")
}

fn finish(mut child: Child, what: &str) -> (bool, String) {
    let bound = Instant::now() + Duration::from_secs(300);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > bound {
            let _ = child.kill();
            panic!("{what} did not finish");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut out = String::new();
    let _ = child.stdout.take().map(|mut s| s.read_to_string(&mut out));
    let _ = child.stderr.take().map(|mut s| s.read_to_string(&mut out));
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, out)
}

#[test]
fn moto_refuses_a_conditional_put_on_an_existing_key() {
    let emu = Emulator::start();
    quickstart::create_bucket(&emu);
    let put = |body: &str| {
        emu.try_call(
            "s3",
            "put_object",
            json!({"Bucket": quickstart::BUCKET, "Key": "lock", "Body": body, "IfNoneMatch": "*"}),
        )
    };
    put("first").expect("the first conditional PUT creates the key");
    let refused = put("second").expect_err("a second conditional PUT must be refused");
    assert_eq!(refused.code, "PreconditionFailed", "{refused}");
}

#[test]
fn two_applies_on_one_s3_backend_one_fails_or_waits_on_the_lock_and_state_stays_whole() {
    let emu = Emulator::start();
    quickstart::create_bucket(&emu);
    // Long enough for B and C to meet A's lock; no timing is asserted.
    emu.set_delays(json!({"nat_gateway_create": 20}));
    let (a, b, c) = (workspace(&emu), workspace(&emu), workspace(&emu));
    let lock = format!("{KEY}.tflock");

    let mut run_a = spawn_apply(&a, "-lock-timeout=0s");
    let bound = Instant::now() + Duration::from_secs(120);
    while !(emu.calls("ec2", "CreateNatGateway") > 0 && object(&emu, &lock).is_some()) {
        if Instant::now() > bound || run_a.try_wait().ok().flatten().is_some() {
            let (_, out) = finish(run_a, "run A");
            panic!(
                "run A never held the lock mid-apply (lock object: {:?}):\n{out}",
                object(&emu, &lock)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let vpcs_before_b = emu.calls("ec2", "CreateVpc");

    // B: no waiting, so it must fail on the lock and touch nothing.
    let run_b = b.terraform(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-lock-timeout=0s",
    ]);
    assert!(!run_b.success(), "B ran while A held the lock");
    let b_out = format!("{}{}", run_b.stdout(), run_b.stderr());
    assert!(
        b_out.contains("Error acquiring the state lock"),
        "B did not fail on the lock:\n{b_out}"
    );
    assert_eq!(
        emu.calls("ec2", "CreateVpc"),
        vpcs_before_b,
        "B created something"
    );

    // C: waits for the lock, then finds A's network and has nothing to do.
    let run_c = spawn_apply(&c, "-lock-timeout=300s");
    // C must meet A's lock for the test to show waiting (else raise the delay above).
    assert!(
        run_a.try_wait().ok().flatten().is_none() && object(&emu, &lock).is_some(),
        "A finished before C started: C did not meet the lock"
    );
    let (a_ok, a_out) = finish(run_a, "run A");
    assert!(a_ok, "A failed:\n{a_out}");
    let (c_ok, c_out) = finish(run_c, "run C");
    assert!(c_ok, "C failed after waiting for the lock:\n{c_out}");
    assert!(
        c_out.contains("0 added, 0 changed, 0 destroyed") || c_out.contains("No changes"),
        "C, run after A, should find nothing to do:\n{c_out}"
    );

    let state = stored_state(&emu);
    let networks: Vec<&Value> = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "trustchain_ipv6_network")
        .collect();
    assert_eq!(networks.len(), 1, "state: {state}");
    assert_eq!(
        networks[0]["instances"].as_array().map(Vec::len),
        Some(1),
        "{state}"
    );
    assert_eq!(
        emu.calls("ec2", "CreateVpc"),
        1,
        "a network was created twice"
    );
    assert!(object(&emu, &lock).is_none(), "a lock file was left behind");
    let serial = state["serial"].as_u64().unwrap_or(0);
    let lineage = state["lineage"].as_str().unwrap_or("").to_string();
    assert!(!lineage.is_empty(), "{state}");

    // Every workspace sees that one state and can destroy it.
    a.destroy().ok();
    let after = stored_state(&emu);
    assert_eq!(after["lineage"], lineage.as_str(), "the lineage changed");
    assert!(after["serial"].as_u64().unwrap_or(0) > serial);
    let lines = vec![format!(
        "concurrent runs (S3 backend, use_lockfile): B failed on the lock at once, C waited and found nothing to do; state serial {serial}, one lineage, 1 VPC created, no lock file left"
    )];
    eprintln!("{}", lines[0]);
    write_report("concurrent-runs", &lines);
}
