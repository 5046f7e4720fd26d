"""QUIC and UDP on Network Load Balancers in the emulator: each AWS rule refused
with AWS's error code, and both TrustChain configurations accepted.

Run: .venv/bin/python -m unittest discover -s tests/emulator/elbv2 -t tests/emulator
"""

import ipaddress
import time
import unittest

from elbv2.testing import EmulatorTestCase

SERVER_A = "0x0123456789abcdef"
SERVER_B = "0xfedcba9876543210"


class QuicListenerRules(EmulatorTestCase):
    def test_quic_listener_is_refused_on_a_dualstack_load_balancer(self):
        lb = self.nlb(ip="dualstack")
        for protocol in ("QUIC", "TCP_QUIC"):
            message = self.assertRefused(
                "InvalidConfigurationRequest", self.listener, lb, protocol, 8853, self.group(protocol)
            )
            self.assertIn("dualstack", message)

    def test_quic_listener_is_refused_on_a_load_balancer_with_security_groups(self):
        group_id = self.ec2.create_security_group(
            GroupName=self.name("sg"), Description="nlb", VpcId=self.vpc_id
        )["GroupId"]
        lb = self.nlb(SecurityGroups=[group_id])
        message = self.assertRefused(
            "InvalidConfigurationRequest", self.listener, lb, "QUIC", 8853, self.group()
        )
        self.assertIn("security groups", message)

    def test_only_one_quic_family_listener_per_load_balancer(self):
        lb = self.nlb()
        self.listener(lb, "QUIC", 8853, self.group("QUIC", 8853))
        for protocol in ("QUIC", "TCP_QUIC"):
            message = self.assertRefused(
                "InvalidConfigurationRequest", self.listener, lb, protocol, 8444, self.group(protocol, 8444)
            )
            self.assertIn("Only one QUIC or TCP_QUIC listener", message)

    def test_quic_and_udp_listeners_exclude_each_other(self):
        with_udp = self.nlb()
        self.listener(with_udp, "UDP", 53, self.group("UDP", 53))
        self.assertRefused("InvalidConfigurationRequest", self.listener, with_udp, "QUIC", 8853, self.group())
        with_quic = self.nlb()
        self.listener(with_quic, "QUIC", 8853, self.group())
        for protocol in ("UDP", "TCP_UDP"):
            self.assertRefused(
                "InvalidConfigurationRequest",
                self.listener,
                with_quic,
                protocol,
                53,
                self.group(protocol, 53),
            )

    def test_listener_and_target_group_protocols_must_match(self):
        lb = self.nlb()
        self.assertRefused("IncompatibleProtocols", self.listener, lb, "TCP_QUIC", 8853, self.group("QUIC"))
        self.assertRefused("IncompatibleProtocols", self.listener, lb, "QUIC", 8853, self.group("TCP", 8853))
        self.assertRefused("IncompatibleProtocols", self.listener, lb, "UDP", 53, self.group("QUIC", 53))
        self.listener(lb, "TCP_QUIC", 8853, self.group("TCP_QUIC"))

    def test_modify_listener_applies_the_same_rules(self):
        lb = self.nlb()
        self.listener(lb, "QUIC", 8853, self.group())
        tcp = self.listener(lb, "TCP", 8444, self.group("TCP", 8444))
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.modify_listener,
            ListenerArn=tcp["ListenerArn"],
            Protocol="TCP_QUIC",
            DefaultActions=[
                {"Type": "forward", "TargetGroupArn": self.group("TCP_QUIC", 8444)["TargetGroupArn"]}
            ],
        )

    def test_udp_listener_on_dualstack_needs_ipv6_target_group_and_source_nat(self):
        without_nat = self.nlb(ip="dualstack")
        message = self.assertRefused(
            "InvalidConfigurationRequest",
            self.listener,
            without_nat,
            "UDP",
            8853,
            self.group("UDP", ip="ipv6"),
        )
        self.assertIn("EnablePrefixForIpv6SourceNat", message)
        with_nat = self.nlb(ip="dualstack", nat="on")
        message = self.assertRefused(
            "InvalidConfigurationRequest", self.listener, with_nat, "UDP", 8853, self.group("UDP", ip="ipv4")
        )
        self.assertIn("IPv4 target group", message)
        self.listener(with_nat, "UDP", 8853, self.group("UDP", ip="ipv6"))

    def test_ipv6_target_group_is_refused_on_an_ipv4_load_balancer(self):
        message = self.assertRefused(
            "InvalidConfigurationRequest",
            self.listener,
            self.nlb(),
            "TCP",
            443,
            self.group("TCP", 443, ip="ipv6"),
        )
        self.assertIn("IPv6 target group", message)

    def test_tls_listener_needs_an_existing_certificate(self):
        lb = self.nlb()
        group = self.group("TCP", 443)
        message = self.assertRefused("ValidationError", self.listener, lb, "TLS", 443, group)
        self.assertIn("certificate must be specified", message)
        missing = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
        self.assertRefused(
            "CertificateNotFound",
            self.listener,
            lb,
            "TLS",
            443,
            group,
            Certificates=[{"CertificateArn": missing}],
        )
        listener = self.listener(lb, "TLS", 443, group, Certificates=[{"CertificateArn": self.certificate()}])
        self.assertEqual(listener["SslPolicy"], "ELBSecurityPolicy-2016-08")

    def test_a_port_takes_one_listener_and_a_target_group_one_load_balancer(self):
        lb = self.nlb()
        group = self.group("TCP", 443)
        self.listener(lb, "TCP", 443, group)
        self.assertRefused("DuplicateListener", self.listener, lb, "UDP", 443, self.group("UDP", 443))
        self.assertRefused("TargetGroupAssociationLimit", self.listener, self.nlb(), "TCP", 443, group)

    def test_listeners_are_not_tls_listeners_only_with_certificates(self):
        listener = self.listener(self.nlb(), "QUIC", 8853, self.group())
        self.assertNotIn("SslPolicy", listener)
        self.assertEqual(listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["Weight"], 1)


class HealthChecks(EmulatorTestCase):
    def test_health_checks_use_tcp_http_or_https_only(self):
        for protocol in ("UDP", "QUIC", "TCP_QUIC", "TCP_UDP"):
            for health in ("UDP", "TCP_UDP", "TLS", "QUIC", "TCP_QUIC"):
                self.assertRefused(
                    "InvalidConfigurationRequest", self.group, protocol, HealthCheckProtocol=health
                )
            for health in ("TCP", "HTTP", "HTTPS"):
                created = self.group(protocol, HealthCheckProtocol=health)
                self.assertEqual(created["HealthCheckProtocol"], health)

    def test_quic_target_group_defaults_to_tcp_health_checks(self):
        created = self.group("QUIC")
        self.assertEqual(
            (created["HealthCheckProtocol"], created["HealthCheckPort"], created["HealthyThresholdCount"]),
            ("TCP", "traffic-port", 5),
        )
        self.assertNotIn("Matcher", created)

    def test_paths_and_matchers_need_http_health_checks(self):
        self.assertRefused("InvalidConfigurationRequest", self.group, "UDP", HealthCheckPath="/health")
        self.assertRefused("InvalidConfigurationRequest", self.group, "UDP", Matcher={"HttpCode": "200"})
        http = self.group(
            "UDP", HealthCheckProtocol="HTTPS", HealthCheckPort="8443", HealthCheckPath="/health"
        )
        self.assertEqual((http["HealthCheckPath"], http["Matcher"]["HttpCode"]), ("/health", "200-399"))

    def test_modify_target_group_changes_health_checks_in_place(self):
        group = self.group("QUIC")
        changed = self.elb.modify_target_group(
            TargetGroupArn=group["TargetGroupArn"],
            HealthCheckProtocol="HTTPS",
            HealthCheckPort="8443",
            HealthCheckPath="/ready",
            HealthCheckIntervalSeconds=10,
            HealthCheckTimeoutSeconds=5,
            HealthyThresholdCount=3,
        )["TargetGroups"][0]
        self.assertEqual(changed["TargetGroupArn"], group["TargetGroupArn"])
        self.assertEqual(
            (
                changed["HealthCheckProtocol"],
                changed["HealthCheckPath"],
                changed["HealthCheckIntervalSeconds"],
            ),
            ("HTTPS", "/ready", 10),
        )
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.modify_target_group,
            TargetGroupArn=group["TargetGroupArn"],
            HealthCheckProtocol="UDP",
        )
        back = self.elb.modify_target_group(TargetGroupArn=group["TargetGroupArn"], HealthCheckProtocol="TCP")
        self.assertNotIn("HealthCheckPath", back["TargetGroups"][0])

    def test_health_check_ranges_are_validated(self):
        self.assertRefused(
            "ValidationError",
            self.raw_elb.create_target_group,
            Name=self.name("tg"),
            Protocol="QUIC",
            Port=8853,
            VpcId=self.vpc_id,
            HealthCheckIntervalSeconds=400,
        )
        self.assertRefused(
            "ValidationError", self.group, "QUIC", HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=20
        )


class QuicServerIds(EmulatorTestCase):
    def register(self, group, *targets, client=None):
        return (client or self.elb).register_targets(
            TargetGroupArn=group["TargetGroupArn"], Targets=list(targets)
        )

    def test_quic_server_id_is_required_for_quic_groups_and_refused_for_others(self):
        for protocol in ("QUIC", "TCP_QUIC"):
            message = self.assertRefused(
                "ValidationError", self.register, self.group(protocol), {"Id": "10.0.0.10"}
            )
            self.assertIn("QuicServerId", message)
        for protocol in ("TCP", "UDP", "TCP_UDP", "TLS"):
            self.assertRefused(
                "ValidationError",
                self.register,
                self.group(protocol),
                {"Id": "10.0.0.10", "QuicServerId": SERVER_A},
            )

    def test_quic_server_id_format_is_0x_and_16_lowercase_hex(self):
        group = self.group()
        for bad in (
            "0x0123456789ABCDEF",
            "0123456789abcdef00",
            "0x0123",
            "0x0123456789abcdef0",
            "0xg123456789abcdef",
        ):
            self.assertRefused(
                "ValidationError", self.register, group, {"Id": "10.0.0.10", "QuicServerId": bad}
            )
        self.register(group, {"Id": "10.0.0.10", "QuicServerId": SERVER_A})

    def test_quic_server_id_is_unique_per_target_group_and_listener(self):
        group = self.group()
        self.register(group, {"Id": "10.0.0.10", "QuicServerId": SERVER_A})
        self.assertRefused(
            "InvalidTarget", self.register, group, {"Id": "10.0.0.11", "QuicServerId": SERVER_A}
        )
        # Two target groups behind one listener share the listener's server ID space.
        other = self.group()
        lb = self.nlb()
        self.elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="QUIC",
            Port=8853,
            DefaultActions=[
                {
                    "Type": "forward",
                    "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": group["TargetGroupArn"]},
                            {"TargetGroupArn": other["TargetGroupArn"]},
                        ]
                    },
                }
            ],
        )
        self.assertRefused(
            "InvalidTarget", self.register, other, {"Id": "10.0.0.12", "QuicServerId": SERVER_A}
        )
        self.register(other, {"Id": "10.0.0.12", "QuicServerId": SERVER_B})

    def test_quic_server_id_is_immutable_until_deregistered(self):
        group = self.group()
        target = {"Id": "10.0.0.10", "Port": 8853}
        self.register(group, dict(target, QuicServerId=SERVER_A))
        self.register(group, dict(target, QuicServerId=SERVER_A))  # same id again: no change
        message = self.assertRefused(
            "InvalidTarget", self.register, group, dict(target, QuicServerId=SERVER_B)
        )
        self.assertIn("deregister", message)
        self.elb.deregister_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[target])
        self.register(group, dict(target, QuicServerId=SERVER_B))
        health = self.elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])[
            "TargetHealthDescriptions"
        ]
        self.assertEqual([h["Target"]["QuicServerId"] for h in health], [SERVER_B])

    def test_targets_are_registered_per_port(self):
        group = self.group()
        self.register(
            group,
            {"Id": "10.0.0.10", "Port": 8853, "QuicServerId": SERVER_A},
            {"Id": "10.0.0.10", "Port": 8854, "QuicServerId": SERVER_B},
        )
        health = self.elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])[
            "TargetHealthDescriptions"
        ]
        self.assertEqual(sorted(h["Target"]["Port"] for h in health), [8853, 8854])

    def test_instance_targets_carry_server_ids_and_must_be_running(self):
        reservation = self.ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=2, MaxCount=2, SubnetId=self.subnets[0]
        )
        running, stopped = [i["InstanceId"] for i in reservation["Instances"]]
        group = self.group("QUIC", target_type="instance")
        self.register(group, {"Id": running, "QuicServerId": SERVER_A})
        self.ec2.stop_instances(InstanceIds=[stopped])
        self.assertRefused("InvalidTarget", self.register, group, {"Id": stopped, "QuicServerId": SERVER_B})
        self.assertRefused(
            "ValidationError",
            self.register,
            group,
            {"Id": running, "Port": 8854, "QuicServerId": SERVER_B, "AvailabilityZone": "us-east-1a"},
        )

    def test_instance_targets_must_exist_in_the_groups_vpc(self):
        group = self.group("QUIC", target_type="instance")
        message = self.assertRefused(
            "InvalidTarget", self.register, group, {"Id": "i-0123456789abcdef0", "QuicServerId": SERVER_A}
        )
        self.assertIn("not valid instances", message)
        other_vpc = self.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        subnet = self.ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.0.0/24")["Subnet"]["SubnetId"]
        elsewhere = self.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet)[
            "Instances"
        ][0]["InstanceId"]
        message = self.assertRefused(
            "InvalidTarget", self.register, group, {"Id": elsewhere, "QuicServerId": SERVER_A}
        )
        self.assertIn("VPC", message)

    def test_ip_targets_must_match_the_group_address_family(self):
        self.assertRefused(
            "ValidationError", self.register, self.group("UDP", ip="ipv6"), {"Id": "10.0.0.10"}
        )
        self.assertRefused(
            "ValidationError", self.register, self.group("UDP", ip="ipv4"), {"Id": "2600:1f18::10"}
        )

    def test_ip_targets_are_private_or_in_the_vpc_never_public(self):
        v4 = self.group("UDP", 8000, ip="ipv4")
        for private in ("10.1.2.3", "100.64.0.9", "172.16.5.5", "192.168.1.1"):
            self.register(v4, {"Id": private})
        v6 = self.group("UDP", 8001, ip="ipv6")
        in_vpc = str(ipaddress.ip_network(self.subnet_v6[self.subnets[0]])[0x10])
        self.register(v6, {"Id": in_vpc})
        for public, group in (("198.51.100.7", v4), ("8.8.8.8", v4), ("2001:db8::10", v6)):
            with self.subTest(public=public):
                message = self.assertRefused("InvalidTarget", self.register, group, {"Id": public})
                self.assertIn("publicly routable", message)

    def test_target_health_moves_from_unused_to_initial_to_healthy_to_draining(self):
        group = self.group()
        self.register(group, {"Id": "10.0.0.10", "QuicServerId": SERVER_A})
        state = lambda: [
            h["TargetHealth"]
            for h in self.elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])[
                "TargetHealthDescriptions"
            ]
        ]
        self.assertEqual(state()[0]["Reason"], "Target.NotInUse")
        self.listener(self.nlb(), "QUIC", 8853, group)
        self.assertEqual(state()[0]["State"], "initial")
        time.sleep(0.5)
        self.assertEqual(state()[0]["State"], "healthy")
        self.elb.deregister_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": "10.0.0.10"}])
        self.assertEqual(state()[0]["State"], "draining")
        time.sleep(0.5)
        self.assertEqual(state(), [])
        gone = self.elb.describe_target_health(
            TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": "10.0.0.10"}]
        )
        self.assertEqual(
            gone["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"], "Target.NotRegistered"
        )


class TrustChainVariants(EmulatorTestCase):
    def test_ipv4_quic_mode_for_8853_and_8444_is_accepted(self):
        # AWS allows one QUIC listener per NLB: QUIC mode uses one IPv4 NLB per
        # service (as modules/trustchain/load_balancer does); a TCP listener may
        # share an NLB with the QUIC one.
        servers = {}
        for port, server_id in ((8853, SERVER_A), (8444, SERVER_B)):
            lb = self.nlb(ip="ipv4")
            group = self.group(
                "QUIC", port, HealthCheckProtocol="HTTPS", HealthCheckPort="443", HealthCheckPath="/health"
            )
            listener = self.listener(lb, "QUIC", port, group)
            self.elb.register_targets(
                TargetGroupArn=group["TargetGroupArn"],
                Targets=[{"Id": "10.0.0.20", "Port": port, "QuicServerId": server_id}],
            )
            servers[port] = (lb, listener, group)
        lb, _, _ = servers[8853]
        self.listener(lb, "TCP", 8444, self.group("TCP", 8444))
        protocols = sorted(
            l["Protocol"]
            for l in self.elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        )
        self.assertEqual(protocols, ["QUIC", "TCP"])
        for port, (_, _, group) in servers.items():
            targets = self.elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])[
                "TargetHealthDescriptions"
            ]
            self.assertEqual([(t["Target"]["Port"], t["HealthCheckPort"]) for t in targets], [(port, "443")])

    def test_dualstack_udp_mode_with_ipv6_targets_and_source_nat_is_accepted(self):
        lb = self.nlb(ip="dualstack", nat="on")
        for port in (8853, 8444):
            group = self.group(
                "UDP",
                port,
                ip="ipv6",
                HealthCheckProtocol="HTTPS",
                HealthCheckPort="443",
                HealthCheckPath="/health",
            )
            self.listener(lb, "UDP", port, group)
            host = str(ipaddress.ip_network(self.subnet_v6[self.subnets[0]])[0x20])
            self.elb.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": host, "Port": port}])
        described = self.elb.describe_load_balancers(LoadBalancerArns=[lb["LoadBalancerArn"]])[
            "LoadBalancers"
        ][0]
        self.assertEqual(
            (described["IpAddressType"], described["EnablePrefixForIpv6SourceNat"]), ("dualstack", "on")
        )
        for zone in described["AvailabilityZones"]:
            (prefix,) = zone["SourceNatIpv6Prefixes"]
            self.assertTrue(prefix.endswith("/80"), prefix)
        listeners = self.elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        self.assertEqual(
            sorted((l["Protocol"], l["Port"]) for l in listeners), [("UDP", 8444), ("UDP", 8853)]
        )


if __name__ == "__main__":
    unittest.main()
