//! What the QUIC load balancer tests share: a dual-stack VPC made straight in the
//! emulator (the resources under test need subnets, not a network resource), EC2
//! instances as targets, the same load balancers built through the ELBv2 API (to
//! show the emulator refuses what a plan refuses), and diagnostic assertions.

use acceptance::{ApiError, Emulator};
use serde_json::{Value, json};
use std::net::Ipv6Addr;

/// A VPC with an Amazon-provided /56 and two dual-stack subnets (a /24 and a /64
/// each) in us-east-1a and us-east-1b.
pub struct Net {
    pub vpc_id: String,
    /// The VPC's /56.
    base: Ipv6Addr,
    pub subnets: Vec<String>,
    /// The /64 of each subnet, e.g. "2600:1f18:0:1::/64".
    pub v6: Vec<String>,
}

impl Net {
    pub fn create(emu: &Emulator) -> Net {
        let vpc = emu.call(
            "ec2",
            "create_vpc",
            json!({"CidrBlock": "10.0.0.0/16", "AmazonProvidedIpv6CidrBlock": true}),
        );
        let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("vpc id").to_string();
        let described = emu.call("ec2", "describe_vpcs", json!({"VpcIds": [vpc_id]}));
        let block = described["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
            .as_str()
            .expect("the VPC's IPv6 block")
            .to_string();
        let base: Ipv6Addr = block
            .split('/')
            .next()
            .and_then(|a| a.parse().ok())
            .expect("IPv6 network address");
        let mut net = Net {
            vpc_id,
            base,
            subnets: Vec::new(),
            v6: Vec::new(),
        };
        for (i, zone) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
            let v6 = net.sixty_four(i as u8 + 1);
            let s = emu.call(
                "ec2",
                "create_subnet",
                json!({"VpcId": net.vpc_id, "CidrBlock": format!("10.0.{i}.0/24"),
                       "Ipv6CidrBlock": v6, "AvailabilityZone": zone}),
            );
            net.subnets
                .push(s["Subnet"]["SubnetId"].as_str().expect("subnet").into());
            net.v6.push(v6);
        }
        net
    }

    /// The `k`-th /64 of the VPC's block.
    pub fn sixty_four(&self, k: u8) -> String {
        format!(
            "{}/64",
            Ipv6Addr::from(u128::from(self.base) + (u128::from(k) << 64))
        )
    }

    /// An address in subnet `i`'s /64, e.g. host 16 -> "2600:1f18:0:1::10".
    pub fn v6_host(&self, i: usize, host: u128) -> String {
        let base: Ipv6Addr = self.v6[i]
            .split('/')
            .next()
            .and_then(|a| a.parse().ok())
            .expect("subnet /64");
        Ipv6Addr::from(u128::from(base) + host).to_string()
    }

    /// `subnet_ids = [...]` as HCL.
    pub fn subnet_list(&self) -> String {
        let quoted: Vec<String> = self.subnets.iter().map(|s| format!("\"{s}\"")).collect();
        format!("[{}]", quoted.join(", "))
    }

    /// Running EC2 instances in subnet 0, to register as targets.
    pub fn instances(&self, emu: &Emulator, n: usize) -> Vec<String> {
        let r = emu.call(
            "ec2",
            "run_instances",
            json!({"ImageId": "ami-12c6146b", "MinCount": n, "MaxCount": n,
                   "InstanceType": "t3.micro", "SubnetId": self.subnets[0]}),
        );
        r["Instances"]
            .as_array()
            .expect("instances")
            .iter()
            .map(|i| i["InstanceId"].as_str().expect("instance id").to_string())
            .collect()
    }

    // ---- the ELBv2 API directly --------------------------------------------------

    /// CreateLoadBalancer of an NLB in both subnets.
    pub fn nlb(&self, emu: &Emulator, name: &str, extra: Value) -> String {
        let mut params = json!({"Name": name, "Type": "network", "Subnets": self.subnets});
        merge(&mut params, extra);
        let lb = emu.call("elbv2", "create_load_balancer", params);
        lb["LoadBalancers"][0]["LoadBalancerArn"]
            .as_str()
            .expect("load balancer ARN")
            .into()
    }

    /// CreateTargetGroup in the VPC (TCP health checks unless `extra` says otherwise).
    pub fn try_group(
        &self,
        emu: &Emulator,
        name: &str,
        protocol: &str,
        port: u16,
        extra: Value,
    ) -> Result<String, ApiError> {
        let mut params = json!({"Name": name, "Protocol": protocol, "Port": port,
                                "VpcId": self.vpc_id, "TargetType": "ip"});
        merge(&mut params, extra);
        emu.try_call("elbv2", "create_target_group", params)
            .map(|g| {
                g["TargetGroups"][0]["TargetGroupArn"]
                    .as_str()
                    .expect("ARN")
                    .into()
            })
    }

    pub fn group(
        &self,
        emu: &Emulator,
        name: &str,
        protocol: &str,
        port: u16,
        extra: Value,
    ) -> String {
        self.try_group(emu, name, protocol, port, extra)
            .unwrap_or_else(|e| panic!("CreateTargetGroup {name}: {e}"))
    }
}

fn merge(into: &mut Value, extra: Value) {
    if let (Some(m), Value::Object(e)) = (into.as_object_mut(), extra) {
        m.extend(e);
    }
}

/// CreateListener forwarding to `tg`.
pub fn try_listener(
    emu: &Emulator,
    lb: &str,
    protocol: &str,
    port: u16,
    tg: &str,
    extra: Value,
) -> Result<Value, ApiError> {
    let mut params = json!({"LoadBalancerArn": lb, "Protocol": protocol, "Port": port,
                            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]});
    merge(&mut params, extra);
    emu.try_call("elbv2", "create_listener", params)
}

/// The emulator refused with `code`; returns AWS's message.
pub fn refused(result: Result<impl std::fmt::Debug, ApiError>, code: &str) -> String {
    match result {
        Ok(v) => panic!("the emulator accepted what AWS refuses ({code}): {v:?}"),
        Err(e) => {
            assert_eq!(e.code, code, "{e}");
            e.message
        }
    }
}

pub use acceptance::assert_diagnostic;

/// `{"Key": ..., "Value": ...}` pairs of a Describe answer as a map.
pub fn tag_map(tags: &Value) -> std::collections::BTreeMap<String, String> {
    tags.as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["Key"].as_str().unwrap_or("").to_string(),
                t["Value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Nothing the test made through Terraform is left: no load balancer, no target group.
pub fn assert_nothing_left(emu: &Emulator) {
    let lbs = emu.call("elbv2", "describe_load_balancers", json!({}));
    assert_eq!(
        lbs["LoadBalancers"].as_array().map(Vec::len),
        Some(0),
        "load balancers left: {lbs}"
    );
    let groups = emu.call("elbv2", "describe_target_groups", json!({}));
    assert_eq!(
        groups["TargetGroups"].as_array().map(Vec::len),
        Some(0),
        "target groups left: {groups}"
    );
}

/// (listener ARN, target group ARN) of a port in a load balancer's `listeners` output.
pub fn ids(lb: &Value, port: u16) -> (String, String) {
    let l = &lb["listeners"][port.to_string()];
    (
        l["arn"].as_str().unwrap_or("").to_string(),
        l["target_group_arn"].as_str().unwrap_or("").to_string(),
    )
}
