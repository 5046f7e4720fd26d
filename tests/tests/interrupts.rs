//! Ctrl-C during each long waiter: CloudHSM cluster create, HSM create, the NAT64
//! gateway of an IPv6 network, and a QUIC load balancer's provisioning. The emulator
//! holds the object in its in-progress state for IN_PROGRESS seconds; Terraform must
//! exit by itself with the provider's interrupt diagnostic while AWS still shows the
//! object in progress (so the waiter honoured StopProvider rather than waiting the
//! transition out: an order of events, not a timing), the object must be in state
//! (tainted, as it is incomplete), and the next apply must converge (replacing it
//! once AWS lets go of it) with an empty plan after; a destroy then leaves nothing in
//! the emulator. The seconds from the signal to Terraform's exit go to
//! target/reports/interrupts-*.txt (printed, not asserted).

use acceptance::interrupt::interrupt_apply_when;
use acceptance::{Emulator, Workspace, provider_block, write_report};
use serde_json::{Value, json};

/// The state AWS shows for the one object of `list` (an emulator call's answer).
fn first_state(answer: Value, list: &str, field: &str) -> String {
    answer[list][0][field].as_str().unwrap_or("").to_string()
}

fn cluster_creating(emu: &Emulator) -> bool {
    first_state(
        emu.call("cloudhsmv2", "describe_clusters", json!({})),
        "Clusters",
        "State",
    ) == "CREATE_IN_PROGRESS"
}

fn hsm_creating(emu: &Emulator) -> bool {
    let clusters = emu.call("cloudhsmv2", "describe_clusters", json!({}));
    clusters["Clusters"][0]["Hsms"][0]["State"] == "CREATE_IN_PROGRESS"
}

fn nat_pending(emu: &Emulator) -> bool {
    first_state(
        emu.call("ec2", "describe_nat_gateways", json!({})),
        "NatGateways",
        "State",
    ) == "pending"
}

fn load_balancer_provisioning(emu: &Emulator) -> bool {
    let lbs = emu.call("elbv2", "describe_load_balancers", json!({}));
    lbs["LoadBalancers"][0]["State"]["Code"] == "provisioning"
}

/// Long beside a prompt stop (a second or two), short enough that the next apply
/// can wait out what is left of it.
const IN_PROGRESS: f64 = 45.0;

/// A dual-stack edge tier (for the load balancer) and a dual-stack hsm tier.
const NETWORK: &str = r#"
resource "trustchain_ipv6_network" "net" {
  name               = "interrupts"
  availability_zones = ["us-east-1a", "us-east-1b"]
  ipv4_cidr          = "10.0.0.0/20"

  tier {
    name        = "edge"
    kind        = "public"
    ipv6_native = false
  }

  tier {
    name        = "hsm"
    kind        = "isolated"
    ipv6_native = false
  }
}
"#;

const CLUSTER: &str = r#"
resource "trustchain_cloudhsm_cluster" "this" {
  hsm_type     = "hsm2m.medium"
  network_type = "DUALSTACK"
  subnet_ids   = [for s in trustchain_ipv6_network.net.subnets["hsm"] : s.id]
}
"#;

const HSM: &str = r#"
resource "trustchain_cloudhsm_hsm" "a" {
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}
"#;

/// NAT64: a NAT gateway in the dual-stack public tier for the DNS64 private tier.
const NAT_NETWORK: &str = r#"
resource "trustchain_ipv6_network" "net" {
  name               = "interrupts-nat"
  availability_zones = ["us-east-1a"]
  enable_nat64       = true

  tier {
    name        = "public"
    kind        = "public"
    ipv6_native = false
  }

  tier {
    name         = "app"
    kind         = "private"
    enable_dns64 = true
  }
}
"#;

const LOAD_BALANCER: &str = r#"
resource "trustchain_quic_load_balancer" "doq" {
  name       = "interrupts-doq"
  subnet_ids = [for s in trustchain_ipv6_network.net.subnets["edge"] : s.id]

  listener {
    port        = 8853
    protocol    = "QUIC"
    target_type = "ip"

    health_check {
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
    }
  }
}
"#;

fn record(name: &str, line: String) {
    eprintln!("{line}");
    write_report(&format!("interrupts-{name}"), &[line]);
}

/// The `show -json` resources entry of `address`.
fn in_state(w: &Workspace, address: &str) -> Option<Value> {
    let state = w.state_json();
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|r| r["address"] == address)
        .cloned()
}

/// Interrupts the apply of `config` once `action` has been called, with `delay`
/// holding the object in progress; then lets AWS finish and applies again.
fn interrupt_then_finish(
    name: &str,
    config: &str,
    delay: &str,
    service: &str,
    action: &str,
    address: &str,
    in_progress: fn(&Emulator) -> bool,
) {
    let emu = Emulator::start();
    let before = emu.inventory();
    emu.set_delays(json!({ delay: IN_PROGRESS }));
    let w = Workspace::new(&format!("{}{config}", provider_block(&emu)));
    let outcome = interrupt_apply_when(&w, || emu.calls(service, action) > 0);
    assert!(
        outcome.exited_by_itself,
        "{name}: Terraform did not stop after Ctrl-C (killed by the harness):\n{}",
        outcome.output
    );
    assert_ne!(
        outcome.code,
        Some(0),
        "{name}: the interrupted apply claims success"
    );
    assert!(
        outcome.output.contains("Interrupted while waiting for"),
        "{name}: the wait did not end with the provider's interrupt diagnostic:\n{}",
        outcome.output
    );
    assert!(
        in_progress(&emu),
        "{name}: AWS no longer shows the object in progress: Terraform waited the transition out instead of stopping"
    );
    let interrupted = in_state(&w, address).unwrap_or_else(|| {
        panic!(
            "{name}: {address}, in progress when interrupted, is not in state:\n{}",
            outcome.output
        )
    });
    let tainted = interrupted["tainted"] == true;
    assert!(
        tainted,
        "{name}: {address} is incomplete but not tainted: {interrupted}"
    );
    // The next apply converges: the tainted object is replaced once AWS lets it
    // go (what is left of IN_PROGRESS), its successor made at the usual pace.
    emu.set_delays(json!({ delay: 0.2 }));
    w.apply().ok();
    let (changes, plan) = w.plan_has_changes();
    assert!(
        !changes,
        "{name}: the plan after finishing is not empty:\n{}",
        plan.stdout()
    );
    let finished = in_state(&w, address).expect("finished object in state");
    assert_ne!(finished["tainted"], true, "{name}: still tainted");
    w.destroy().ok();
    let after = emu.inventory();
    let left: Vec<String> = after
        .iter()
        .flat_map(|(kind, ids)| {
            let old = before.get(kind).cloned().unwrap_or_default();
            ids.iter()
                .filter(move |i| !old.contains(i))
                .map(move |i| format!("{kind} {i}"))
        })
        .collect();
    assert!(left.is_empty(), "{name}: left in the emulator: {left:?}");
    record(
        name,
        format!(
            "interrupt during {name}: Terraform exited {:.1} s after SIGINT, {address} in state tainted, next apply finished it, 0 left",
            outcome.elapsed_after_interrupt.as_secs_f64()
        ),
    );
}

#[test]
fn ctrl_c_during_cluster_create_stops_taints_and_the_next_apply_finishes() {
    interrupt_then_finish(
        "cluster create",
        &format!("{NETWORK}{CLUSTER}"),
        "cluster_create",
        "cloudhsm",
        "CreateCluster",
        "trustchain_cloudhsm_cluster.this",
        cluster_creating,
    );
}

#[test]
fn ctrl_c_during_hsm_create_stops_taints_and_the_next_apply_finishes() {
    interrupt_then_finish(
        "HSM create",
        &format!("{NETWORK}{CLUSTER}{HSM}"),
        "hsm_create",
        "cloudhsm",
        "CreateHsm",
        "trustchain_cloudhsm_hsm.a",
        hsm_creating,
    );
}

#[test]
fn ctrl_c_during_nat_gateway_create_stops_taints_and_the_next_apply_finishes() {
    interrupt_then_finish(
        "NAT gateway create",
        NAT_NETWORK,
        "nat_gateway_create",
        "ec2",
        "CreateNatGateway",
        "trustchain_ipv6_network.net",
        nat_pending,
    );
}

#[test]
fn ctrl_c_during_load_balancer_provisioning_stops_taints_and_the_next_apply_finishes() {
    interrupt_then_finish(
        "load balancer provisioning",
        &format!("{NETWORK}{LOAD_BALANCER}"),
        "nlb_provisioning",
        "elasticloadbalancing",
        "CreateLoadBalancer",
        "trustchain_quic_load_balancer.doq",
        load_balancer_provisioning,
    );
}
