//! trustchain_quic_load_balancer and trustchain_quic_target with real Terraform
//! against the emulator: both TrustChain variants as step lists (`quic_mode`: one
//! IPv4 NLB per QUIC service with targets and server IDs; `dualstack_udp`: one
//! dualstack NLB with UDP listeners, IPv6 targets and the source-NAT prefix), the
//! load balancer's own in-place changes and replacement warning (`in_place`), and
//! every plan-time rule shown refused at plan and by the emulator too (`rules`,
//! `target_rules`).

mod dualstack_udp;
mod in_place;
mod module;
mod quic_mode;
mod rules;
mod support;
mod target_rules;
