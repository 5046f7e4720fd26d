//! Creating and deleting the network's individual objects, each in the order and
//! with the retries AWS needs; `reconcile` decides which.

use super::super::model::{Desired, NetworkModel, Tier};
use super::discovery::{Ec2, NatInfo, RouteTableInfo, SubnetInfo};
use crate::aws::ec2::bool_value;
use crate::aws::retry::{delete_when_free, until_visible, while_not_found};
use crate::aws::tags::{Tags, ec2_tag_spec};
use crate::aws::{Poll, code_of, failed, is_not_found, wait_for};
use crate::ipv6::{self, Ipv6Cidr};
use aws_sdk_ec2::types::{DomainType, HostnameType, ResourceType};
use tfplugin::diag::{Diagnostic, Diagnostics};

impl Ec2<'_> {
    pub async fn create_vpc(&self, m: &NetworkModel, d: &Desired) -> Result<String, Diagnostics> {
        let ec2 = &self.c.ec2;
        let mut call = ec2
            .create_vpc()
            .cidr_block(d.ipv4_cidr.to_string())
            .tag_specifications(ec2_tag_spec(ResourceType::Vpc, &d.vpc_tags()));
        call = match (m.ipv6_ipam_pool_id.known(), m.ipv6_netmask_length.known()) {
            (Some(pool), Some(len)) => call
                .ipv6_ipam_pool_id(pool)
                .ipv6_netmask_length(*len as i32),
            _ => call.amazon_provided_ipv6_cidr_block(true),
        };
        let out = call.send().await.map_err(failed("EC2", "CreateVpc"))?;
        let vpc_id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .map(String::from)
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "CreateVpc returned no VPC id",
                    "AWS answered CreateVpc without a VPC id; retry the apply.",
                ))
            })?;
        tracing::info!(vpc_id, "created VPC");
        Ok(vpc_id)
    }

    /// What a new VPC needs before its subnets: DNS hostnames on, its IPv6 block.
    pub async fn prepare_vpc(&self, vpc_id: &str) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        // Resource-name DNS needs DNS hostnames on; one attribute per call. The VPC
        // is moments old: AWS may not know it yet.
        while_not_found(&self.deadline, "ModifyVpcAttribute", || {
            ec2.modify_vpc_attribute()
                .vpc_id(vpc_id)
                .enable_dns_hostnames(bool_value(true))
                .send()
        })
        .await
        .map_err(failed("EC2", "ModifyVpcAttribute"))?;
        // Wait for the IPv6 block to be associated.
        let id = vpc_id.to_string();
        // Eventual consistency: a new VPC, and its IPv6 block, may not show at once.
        until_visible(
            &self.deadline,
            &format!("the IPv6 block of {vpc_id}"),
            || async { self.vpc_ipv6_cidr(&id).await },
        )
        .await?;
        Ok(())
    }

    pub async fn create_subnet(
        &self,
        vpc_id: &str,
        d: &Desired,
        t: &Tier,
        zone: &str,
        prefix: &Ipv6Cidr,
    ) -> Result<SubnetInfo, Diagnostics> {
        let az = ipv6::az_index(zone).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid availability zone",
                e.to_string(),
            ))
        })?;
        let v6 = prefix.tier_subnet(t.index, az).map_err(|e| {
            Diagnostics::from(Diagnostic::error("Subnet plan failed", e.to_string()))
        })?;
        let v4 = d.ipv4_block(t, zone).map_err(|e| {
            Diagnostics::from(Diagnostic::error("No IPv4 room for a dual-stack tier", e))
        })?;
        let tags = d.subnet_tags(t, zone);
        let subnet = || {
            let call = self
                .c
                .ec2
                .create_subnet()
                .vpc_id(vpc_id)
                .availability_zone(zone)
                .ipv6_cidr_block(v6.to_string())
                .tag_specifications(ec2_tag_spec(ResourceType::Subnet, &tags));
            match v4 {
                Some(c) => call.cidr_block(c.to_string()),
                None => call.ipv6_native(true),
            }
            .send()
        };
        // The VPC may be moments old.
        let out = while_not_found(&self.deadline, "CreateSubnet", subnet)
            .await
            .map_err(failed("EC2", "CreateSubnet"))?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .unwrap_or("")
            .to_string();
        tracing::info!(subnet_id = %id, tier = %t.name, zone, cidr = %v6, "created subnet");
        Ok(SubnetInfo {
            id,
            tier: Some(t.name.clone()),
            zone: zone.to_string(),
            ipv6_cidr: Some(v6.to_string()),
            ipv4_cidr: v4.map(|c| c.to_string()),
            ipv6_native: v4.is_none(),
            dns64: false,
            aaaa: false,
            hostname_type: if v4.is_none() {
                "resource-name".into()
            } else {
                "ip-name".into()
            },
            assign_ipv6: v4.is_none(),
            tags,
        })
    }

    /// ModifySubnetAttribute takes one attribute per call; apply each that differs.
    pub async fn fix_subnet_attributes(&self, s: &SubnetInfo, t: &Tier) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        let call = || ec2.modify_subnet_attribute().subnet_id(&s.id);
        // The subnet may be moments old: each call waits out NotFound.
        let what = "ModifySubnetAttribute";
        if !s.assign_ipv6 {
            while_not_found(&self.deadline, what, || {
                call()
                    .assign_ipv6_address_on_creation(bool_value(true))
                    .send()
            })
            .await
            .map_err(failed("EC2", what))?;
        }
        if s.hostname_type != t.hostname_type {
            let hostname = HostnameType::from(t.hostname_type.as_str());
            while_not_found(&self.deadline, what, || {
                call()
                    .private_dns_hostname_type_on_launch(hostname.clone())
                    .send()
            })
            .await
            .map_err(failed("EC2", what))?;
        }
        if s.aaaa != t.aaaa {
            while_not_found(&self.deadline, what, || {
                call()
                    .enable_resource_name_dns_aaaa_record_on_launch(bool_value(t.aaaa))
                    .send()
            })
            .await
            .map_err(failed("EC2", what))?;
        }
        if s.dns64 != t.dns64 {
            while_not_found(&self.deadline, what, || {
                call().enable_dns64(bool_value(t.dns64)).send()
            })
            .await
            .map_err(failed("EC2", what))?;
        }
        Ok(())
    }

    pub async fn delete_subnet(
        &self,
        s: &SubnetInfo,
        nat: Option<&NatInfo>,
    ) -> Result<(), Diagnostics> {
        if let Some(n) = nat.filter(|n| n.subnet_id == s.id) {
            self.delete_nat(&n.id).await?;
        }
        let ec2 = &self.c.ec2;
        delete_when_free(&self.deadline, "EC2", "DeleteSubnet", || async {
            ec2.delete_subnet()
                .subnet_id(&s.id)
                .send()
                .await
                .map(|_| ())
        })
        .await?;
        tracing::info!(subnet_id = %s.id, "deleted subnet");
        Ok(())
    }

    /// An Elastic IP and a NAT gateway in `subnet_id`, waiting until it is available.
    pub async fn create_nat(
        &self,
        subnet_id: &str,
        nat_tags: &Tags,
        eip_tags: &Tags,
    ) -> Result<String, Diagnostics> {
        let ec2 = &self.c.ec2;
        let eip = ec2
            .allocate_address()
            .domain(DomainType::Vpc)
            .tag_specifications(ec2_tag_spec(ResourceType::ElasticIp, eip_tags))
            .send()
            .await
            .map_err(failed("EC2", "AllocateAddress"))?;
        let allocation = eip.allocation_id().unwrap_or("").to_string();
        // The address is moments old.
        let out = while_not_found(&self.deadline, "CreateNatGateway", || {
            ec2.create_nat_gateway()
                .subnet_id(subnet_id)
                .allocation_id(&allocation)
                .tag_specifications(ec2_tag_spec(ResourceType::Natgateway, nat_tags))
                .send()
        })
        .await
        .map_err(failed("EC2", "CreateNatGateway"))?;
        let id = out
            .nat_gateway()
            .and_then(|n| n.nat_gateway_id())
            .unwrap_or("")
            .to_string();
        let nat = id.clone();
        wait_for(&self.deadline, &format!("NAT gateway {id}"), || async {
                match ec2.describe_nat_gateways().nat_gateway_ids(&nat).send().await {
                    Ok(o) => match o.nat_gateways().first().and_then(|n| n.state()).map(|s| s.as_str().to_string()).as_deref() {
                        Some("available") => Poll::Done(()),
                        Some("failed") => Poll::Fail(Diagnostics::from(Diagnostic::error("NAT gateway failed", format!("{nat} entered state failed; check the subnet's IPv4 route to the internet gateway.")))),
                        other => Poll::Retry(format!("state {other:?}")),
                    },
                    Err(e) if is_not_found(code_of(&e)) => Poll::Retry("NAT gateway not visible yet".into()),
                    Err(e) => Poll::Fail(failed("EC2", "DescribeNatGateways")(e)),
                }
        })
        .await?;
        tracing::info!(nat_gateway_id = %id, "NAT64 gateway available");
        Ok(id)
    }

    pub async fn delete_nat(&self, id: &str) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        match ec2.delete_nat_gateway().nat_gateway_id(id).send().await {
            Ok(_) => {}
            Err(e) if code_of(&e) == "NatGatewayNotFound" => return Ok(()),
            Err(e) => return Err(failed("EC2", "DeleteNatGateway")(e)),
        }
        wait_for(
            &self.deadline,
            &format!("NAT gateway {id} to be deleted"),
            || async {
                match ec2.describe_nat_gateways().nat_gateway_ids(id).send().await {
                    Ok(o) => match o
                        .nat_gateways()
                        .first()
                        .and_then(|n| n.state())
                        .map(|s| s.as_str().to_string())
                        .as_deref()
                    {
                        None | Some("deleted") => Poll::Done(()),
                        other => Poll::Retry(format!("state {other:?}")),
                    },
                    Err(e) if code_of(&e) == "NatGatewayNotFound" => Poll::Done(()),
                    Err(e) => Poll::Fail(failed("EC2", "DescribeNatGateways")(e)),
                }
            },
        )
        .await
    }

    /// Disassociates what is left (associations of deleted subnets can linger),
    /// then deletes the table.
    pub async fn delete_route_table(&self, rt: &RouteTableInfo) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        for assoc in rt.associations.values() {
            match ec2
                .disassociate_route_table()
                .association_id(assoc)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if code_of(&e).ends_with("NotFound") => {}
                Err(e) => return Err(failed("EC2", "DisassociateRouteTable")(e)),
            }
        }
        delete_when_free(&self.deadline, "EC2", "DeleteRouteTable", || async {
            ec2.delete_route_table()
                .route_table_id(&rt.id)
                .send()
                .await
                .map(|_| ())
        })
        .await
    }

    pub async fn release_eip(&self, allocation: &str) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        delete_when_free(&self.deadline, "EC2", "ReleaseAddress", || async {
            ec2.release_address()
                .allocation_id(allocation)
                .send()
                .await
                .map(|_| ())
        })
        .await
    }

    pub async fn delete_igw(&self, vpc_id: &str, igw: &str) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        delete_when_free(&self.deadline, "EC2", "DetachInternetGateway", || async {
            ec2.detach_internet_gateway()
                .internet_gateway_id(igw)
                .vpc_id(vpc_id)
                .send()
                .await
                .map(|_| ())
        })
        .await?;
        delete_when_free(&self.deadline, "EC2", "DeleteInternetGateway", || async {
            ec2.delete_internet_gateway()
                .internet_gateway_id(igw)
                .send()
                .await
                .map(|_| ())
        })
        .await
    }

    /// Deletes everything the network owns, in dependency order.
    pub async fn delete_all(&self, vpc_id: &str) -> Result<(), Diagnostics> {
        let Some(a) = self.discover(vpc_id).await? else {
            return Ok(());
        };
        let ec2 = &self.c.ec2;
        if let Some(n) = &a.nat {
            self.delete_nat(&n.id).await?;
        }
        for eip in &a.eips {
            self.release_eip(&eip.id).await?;
        }
        // Subnets, then route tables, each kind all at once (the EC2 client bounds
        // the calls in flight). A subnet's route table association goes with it, so
        // the tables need no DisassociateRouteTable first. Subnets other tools made
        // in the VPC are theirs to delete.
        let own = a.subnets.iter().filter(|s| s.tier.is_some());
        futures_util::future::try_join_all(own.map(|s| self.delete_subnet(s, None))).await?;
        futures_util::future::try_join_all(a.route_tables.values().map(|rt| {
            let mut rt = rt.clone();
            rt.associations.clear();
            async move { self.delete_route_table(&rt).await }
        }))
        .await?;
        if let Some(eigw) = &a.eigw {
            delete_when_free(
                &self.deadline,
                "EC2",
                "DeleteEgressOnlyInternetGateway",
                || async {
                    ec2.delete_egress_only_internet_gateway()
                        .egress_only_internet_gateway_id(&eigw.id)
                        .send()
                        .await
                        .map(|_| ())
                },
            )
            .await?;
        }
        if let Some(igw) = &a.igw {
            self.delete_igw(vpc_id, &igw.id).await?;
        }
        delete_when_free(&self.deadline, "EC2", "DeleteVpc", || async {
            ec2.delete_vpc().vpc_id(vpc_id).send().await.map(|_| ())
        })
        .await?;
        tracing::info!(vpc_id, "deleted network");
        Ok(())
    }
}
