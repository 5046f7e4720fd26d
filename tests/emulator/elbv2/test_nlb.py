"""Network Load Balancers themselves in the emulator: identity, states, the IPv6
source-NAT prefix, IP address types, security groups, attributes, deletion
protection, tags and paging, as AWS serves them.

Run: .venv/bin/python -m unittest discover -s tests/emulator/elbv2 -t tests/emulator
"""

import ipaddress
import json
import time
import unittest
import urllib.request

from elbv2.testing import EmulatorTestCase


class Identity(EmulatorTestCase):
    def test_network_load_balancer_has_net_arn_dns_name_zone_and_scheme(self):
        lb = self.nlb()
        self.assertRegex(lb["LoadBalancerArn"], r":loadbalancer/net/nlb-[0-9a-f]{8}/[0-9a-f]{16}$")
        lb_id = lb["LoadBalancerArn"].rsplit("/", 1)[1]
        self.assertEqual(lb["DNSName"], f"{lb['LoadBalancerName']}-{lb_id}.elb.us-east-1.amazonaws.com")
        self.assertEqual(lb["CanonicalHostedZoneId"], "Z26RNL4JYFTOTI")
        self.assertEqual(
            (lb["Scheme"], lb["Type"], lb["EnablePrefixForIpv6SourceNat"]),
            ("internet-facing", "network", "off"),
        )
        listener = self.listener(lb, "TCP", 80, self.group("TCP", 80))
        self.assertIn(":listener/net/", listener["ListenerArn"])

    def test_load_balancer_is_provisioning_then_active(self):
        lb = self.nlb()
        state = lambda: self.elb.describe_load_balancers(LoadBalancerArns=[lb["LoadBalancerArn"]])[
            "LoadBalancers"
        ][0]["State"]["Code"]
        self.assertEqual(lb["State"]["Code"], "provisioning")
        self.assertEqual(state(), "provisioning")
        time.sleep(0.5)
        self.assertEqual(state(), "active")

    def test_create_is_idempotent_for_identical_settings_and_refuses_different_ones(self):
        lb = self.nlb()
        again = self.elb.create_load_balancer(
            Name=lb["LoadBalancerName"], Type="network", Subnets=self.subnets
        )
        self.assertEqual(again["LoadBalancers"][0]["LoadBalancerArn"], lb["LoadBalancerArn"])
        self.assertRefused(
            "DuplicateLoadBalancerName",
            self.elb.create_load_balancer,
            Name=lb["LoadBalancerName"],
            Type="network",
            Subnets=self.subnets[:1],
        )

    def test_application_load_balancers_stay_with_moto(self):
        alb = self.elb.create_load_balancer(Name=self.name("alb"), Subnets=self.subnets)["LoadBalancers"][0]
        self.assertIn(":loadbalancer/app/", alb["LoadBalancerArn"])
        group = self.group("HTTP", 80, target_type="instance")
        self.assertEqual(group["Matcher"], {"HttpCode": "200"})  # moto's ALB default
        self.listener(alb, "HTTP", 80, group)
        listeners = self.elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
        self.assertEqual([l["Protocol"] for l in listeners], ["HTTP"])
        self.elb.register_targets(
            TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": "i-0123456789abcdef0"}]
        )
        health = self.elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
        self.assertEqual(len(health["TargetHealthDescriptions"]), 1)
        self.elb.delete_load_balancer(LoadBalancerArn=alb["LoadBalancerArn"])

    def test_unknown_load_balancers_are_not_found(self):
        self.assertRefused("LoadBalancerNotFound", self.elb.describe_load_balancers, Names=["absent"])


class SourceNatAndAddressTypes(EmulatorTestCase):
    def test_source_nat_prefix_needs_the_dualstack_address_type(self):
        message = self.assertRefused("InvalidConfigurationRequest", self.nlb, ip="ipv4", nat="on")
        self.assertIn("dualstack", message)

    def test_dualstack_needs_subnets_with_ipv6_blocks(self):
        self.assertRefused("InvalidSubnet", self.nlb, ip="dualstack", Subnets=[self.v4_subnet])

    def test_auto_assigned_source_nat_prefixes_are_80s_of_each_subnet(self):
        lb = self.nlb(ip="dualstack", nat="on")
        for zone in lb["AvailabilityZones"]:
            (prefix,) = zone["SourceNatIpv6Prefixes"]
            network = ipaddress.ip_network(prefix)
            self.assertEqual(network.prefixlen, 80)
            self.assertTrue(network.subnet_of(ipaddress.ip_network(self.subnet_v6[zone["SubnetId"]])))

    def test_given_source_nat_prefixes_are_kept_and_checked(self):
        subnet = self.subnets[0]
        wanted = str(next(ipaddress.ip_network(self.subnet_v6[subnet]).subnets(new_prefix=80)))
        lb = self.nlb(
            ip="dualstack", nat="on", SubnetMappings=[{"SubnetId": subnet, "SourceNatIpv6Prefix": wanted}]
        )
        self.assertEqual(lb["AvailabilityZones"][0]["SourceNatIpv6Prefixes"], [wanted])
        outside = str(next(ipaddress.ip_network(self.subnet_v6[self.subnets[1]]).subnets(new_prefix=80)))
        for bad in (outside, self.subnet_v6[subnet], "not-a-prefix"):
            self.assertRefused(
                "InvalidConfigurationRequest",
                self.nlb,
                ip="dualstack",
                nat="on",
                SubnetMappings=[{"SubnetId": subnet, "SourceNatIpv6Prefix": bad}],
            )
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.nlb,
            ip="dualstack",
            SubnetMappings=[{"SubnetId": subnet, "SourceNatIpv6Prefix": "auto_assigned"}],
        )

    def test_set_subnets_takes_one_zone_and_reports_address_type_and_source_nat(self):
        lb = self.nlb(ip="dualstack")
        out = self.elb.set_subnets(
            LoadBalancerArn=lb["LoadBalancerArn"], Subnets=self.subnets[:1], EnablePrefixForIpv6SourceNat="on"
        )
        self.assertEqual((out["IpAddressType"], out["EnablePrefixForIpv6SourceNat"]), ("dualstack", "on"))
        self.assertEqual([z["SubnetId"] for z in out["AvailabilityZones"]], self.subnets[:1])
        self.assertTrue(out["AvailabilityZones"][0]["SourceNatIpv6Prefixes"][0].endswith("/80"))

    def test_a_zone_changes_its_subnet_in_two_actions(self):
        lb = self.nlb(Subnets=self.subnets[:1])
        other = self.ec2.create_subnet(
            VpcId=self.vpc_id, CidrBlock="10.0.5.0/24", AvailabilityZone="us-east-1a"
        )["Subnet"]["SubnetId"]
        arn = lb["LoadBalancerArn"]
        message = self.assertRefused(
            "InvalidConfigurationRequest", self.elb.set_subnets, LoadBalancerArn=arn, Subnets=[other]
        )
        self.assertIn("independent actions", message)
        self.elb.set_subnets(LoadBalancerArn=arn, Subnets=[self.subnets[1]])
        out = self.elb.set_subnets(LoadBalancerArn=arn, Subnets=[other, self.subnets[1]])
        self.assertEqual(sorted(z["SubnetId"] for z in out["AvailabilityZones"]), sorted([other, self.subnets[1]]))

    def test_source_nat_cannot_be_turned_off_under_dualstack_udp_listeners(self):
        lb = self.nlb(ip="dualstack", nat="on")
        self.listener(lb, "UDP", 8853, self.group("UDP", ip="ipv6"))
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.set_subnets,
            LoadBalancerArn=lb["LoadBalancerArn"],
            Subnets=self.subnets,
            EnablePrefixForIpv6SourceNat="off",
        )

    def test_dualstack_needs_ipv6_groups_behind_existing_udp_listeners(self):
        lb = self.nlb()
        self.listener(lb, "UDP", 8853, self.group("UDP", ip="ipv4"))
        message = self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.set_subnets,
            LoadBalancerArn=lb["LoadBalancerArn"],
            Subnets=self.subnets,
            IpAddressType="dualstack",
            EnablePrefixForIpv6SourceNat="on",
        )
        self.assertIn("IPv6 target groups", message)

    def test_set_ip_address_type_keeps_the_quic_and_ipv6_rules(self):
        quic = self.nlb()
        self.listener(quic, "QUIC", 8853, self.group())
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.set_ip_address_type,
            LoadBalancerArn=quic["LoadBalancerArn"],
            IpAddressType="dualstack",
        )
        dual = self.nlb(ip="dualstack")
        self.listener(dual, "TCP", 443, self.group("TCP", 443, ip="ipv6"))
        message = self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.set_ip_address_type,
            LoadBalancerArn=dual["LoadBalancerArn"],
            IpAddressType="ipv4",
        )
        self.assertIn("IPv6 target group", message)
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.set_ip_address_type,
            LoadBalancerArn=dual["LoadBalancerArn"],
            IpAddressType="dualstack-without-public-ipv4",
        )
        plain = self.nlb()
        out = self.elb.set_ip_address_type(
            LoadBalancerArn=plain["LoadBalancerArn"], IpAddressType="dualstack"
        )
        self.assertEqual(out["IpAddressType"], "dualstack")

    def test_security_groups_can_change_only_on_nlbs_created_with_them(self):
        group_id = self.ec2.create_security_group(
            GroupName=self.name("sg"), Description="nlb", VpcId=self.vpc_id
        )["GroupId"]
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.set_security_groups,
            LoadBalancerArn=self.nlb()["LoadBalancerArn"],
            SecurityGroups=[group_id],
        )
        with_groups = self.nlb(SecurityGroups=[group_id])
        out = self.elb.set_security_groups(
            LoadBalancerArn=with_groups["LoadBalancerArn"], SecurityGroups=[group_id]
        )
        self.assertEqual(out["SecurityGroupIds"], [group_id])
        self.assertRefused(
            "InvalidSecurityGroup",
            self.elb.set_security_groups,
            LoadBalancerArn=with_groups["LoadBalancerArn"],
            SecurityGroups=["sg-00000000000000000"],
        )


class Attributes(EmulatorTestCase):
    def lb_attributes(self, lb):
        raw = self.elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
        return {a["Key"]: a["Value"] for a in raw}

    def test_cross_zone_and_deletion_protection_attributes(self):
        lb = self.nlb()
        self.assertEqual(self.lb_attributes(lb)["load_balancing.cross_zone.enabled"], "false")
        self.elb.modify_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Attributes=[
                {"Key": "load_balancing.cross_zone.enabled", "Value": "true"},
                {"Key": "deletion_protection.enabled", "Value": "true"},
            ],
        )
        attributes = self.lb_attributes(lb)
        self.assertEqual(
            (attributes["load_balancing.cross_zone.enabled"], attributes["deletion_protection.enabled"]),
            ("true", "true"),
        )
        for key, value in (("idle_timeout.timeout_seconds", "60"), ("deletion_protection.enabled", "yes")):
            self.assertRefused(
                "InvalidConfigurationRequest",
                self.elb.modify_load_balancer_attributes,
                LoadBalancerArn=lb["LoadBalancerArn"],
                Attributes=[{"Key": key, "Value": value}],
            )

    def test_delete_is_refused_while_deletion_protection_is_on(self):
        lb = self.nlb()
        group = self.group("TCP", 443)
        self.listener(lb, "TCP", 443, group)
        arn = lb["LoadBalancerArn"]
        self.elb.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
        )
        message = self.assertRefused(
            "OperationNotPermitted", self.elb.delete_load_balancer, LoadBalancerArn=arn
        )
        self.assertIn("deletion protection is enabled", message)
        self.elb.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
        )
        self.elb.delete_load_balancer(LoadBalancerArn=arn)
        self.elb.delete_load_balancer(LoadBalancerArn=arn)  # gone already: still succeeds
        described = self.elb.describe_target_groups(TargetGroupArns=[group["TargetGroupArn"]])[
            "TargetGroups"
        ][0]
        self.assertEqual(described.get("LoadBalancerArns", []), [])

    def tg_attributes(self, group):
        raw = self.elb.describe_target_group_attributes(TargetGroupArn=group["TargetGroupArn"])["Attributes"]
        return {a["Key"]: a["Value"] for a in raw}

    def test_target_group_attributes_follow_the_protocol(self):
        udp = self.tg_attributes(self.group("UDP"))
        self.assertEqual(
            (udp["preserve_client_ip.enabled"], udp["deregistration_delay.connection_termination.enabled"]),
            ("true", "true"),
        )
        self.assertEqual(
            self.tg_attributes(self.group("TCP"))["preserve_client_ip.enabled"], "false"
        )  # ip targets
        for protocol in ("UDP", "TCP_UDP", "QUIC", "TCP_QUIC"):
            self.assertRefused(
                "InvalidConfigurationRequest",
                self.elb.modify_target_group_attributes,
                TargetGroupArn=self.group(protocol)["TargetGroupArn"],
                Attributes=[{"Key": "preserve_client_ip.enabled", "Value": "false"}],
            )

    def test_target_group_attribute_values_are_checked(self):
        group = self.group("QUIC")
        arn = group["TargetGroupArn"]
        out = self.elb.modify_target_group_attributes(
            TargetGroupArn=arn,
            Attributes=[
                {"Key": "deregistration_delay.timeout_seconds", "Value": "3600"},
                {"Key": "deregistration_delay.connection_termination.enabled", "Value": "true"},
            ],
        )
        self.assertIn({"Key": "deregistration_delay.timeout_seconds", "Value": "3600"}, out["Attributes"])
        self.assertEqual(
            self.tg_attributes(group)["deregistration_delay.connection_termination.enabled"], "true"
        )
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.modify_target_group_attributes,
            TargetGroupArn=arn,
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "3601"}],
        )
        self.assertRefused(
            "ValidationError",
            self.elb.modify_target_group_attributes,
            TargetGroupArn=arn,
            Attributes=[{"Key": "slow_start.duration_seconds", "Value": "30"}],
        )

    def test_listener_idle_timeout_is_60_to_6000_on_tcp_listeners(self):
        lb = self.nlb()
        tcp = self.listener(lb, "TCP", 443, self.group("TCP", 443))["ListenerArn"]
        out = self.elb.modify_listener_attributes(
            ListenerArn=tcp, Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "600"}]
        )
        self.assertEqual(out["Attributes"], [{"Key": "tcp.idle_timeout.seconds", "Value": "600"}])
        described = self.elb.describe_listener_attributes(ListenerArn=tcp)["Attributes"]
        self.assertEqual(described, [{"Key": "tcp.idle_timeout.seconds", "Value": "600"}])
        for value in ("59", "6001", "ten"):
            self.assertRefused(
                "InvalidConfigurationRequest",
                self.elb.modify_listener_attributes,
                ListenerArn=tcp,
                Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": value}],
            )
        quic = self.listener(lb, "QUIC", 8853, self.group())["ListenerArn"]
        self.assertRefused(
            "InvalidConfigurationRequest",
            self.elb.modify_listener_attributes,
            ListenerArn=quic,
            Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "600"}],
        )


class ListenersInPlace(EmulatorTestCase):
    def test_modify_listener_changes_port_and_target_group_in_place(self):
        lb = self.nlb()
        first, second = self.group("TCP", 443), self.group("TCP", 443)
        listener = self.listener(lb, "TCP", 443, first)
        changed = self.elb.modify_listener(
            ListenerArn=listener["ListenerArn"],
            Port=8443,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": second["TargetGroupArn"]}],
        )["Listeners"][0]
        self.assertEqual((changed["ListenerArn"], changed["Port"]), (listener["ListenerArn"], 8443))
        groups = self.elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
        self.assertEqual([g["TargetGroupArn"] for g in groups], [second["TargetGroupArn"]])

    def test_delete_listener_detaches_its_target_group(self):
        lb = self.nlb()
        listener = self.listener(lb, "QUIC", 8853, self.group())
        self.elb.delete_listener(ListenerArn=listener["ListenerArn"])
        self.assertEqual(
            self.elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"], []
        )
        self.assertRefused(
            "ListenerNotFound", self.elb.describe_listeners, ListenerArns=[listener["ListenerArn"]]
        )


class TagsAndPages(EmulatorTestCase):
    def test_tags_on_load_balancer_listener_and_target_group(self):
        tags = [{"Key": "Name", "Value": "trustchain"}]
        lb = self.nlb(Tags=tags)
        group = self.group("TCP", 443, Tags=tags)
        listener = self.listener(lb, "TCP", 443, group, Tags=tags)
        arns = [lb["LoadBalancerArn"], group["TargetGroupArn"], listener["ListenerArn"]]
        described = self.elb.describe_tags(ResourceArns=arns)["TagDescriptions"]
        self.assertEqual([(d["ResourceArn"], d["Tags"]) for d in described], [(a, tags) for a in arns])
        self.elb.add_tags(ResourceArns=arns, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
        self.assertRefused(
            "TooManyTags", self.elb.add_tags, ResourceArns=arns[:1], Tags=[{"Key": "k50", "Value": "v"}]
        )
        self.assertRefused("ValidationError", self.elb.describe_tags, ResourceArns=arns * 7)
        missing = lb["LoadBalancerArn"][:-4] + "0000"
        self.assertRefused("LoadBalancerNotFound", self.elb.describe_tags, ResourceArns=[missing])

    def test_tag_keys_and_values_follow_the_api_reference(self):
        lb = self.nlb()
        arns = [lb["LoadBalancerArn"]]
        self.elb.add_tags(ResourceArns=arns, Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
        self.elb.add_tags(ResourceArns=arns, Tags=[{"Key": "Équipe 1_.:/=+-@", "Value": "données 数据"}])
        for bad in (
            {"Key": "aws:owner", "Value": "x"},
            {"Key": "AWS:owner", "Value": "x"},
            {"Key": "k" * 129, "Value": "x"},
            {"Key": "k", "Value": "v" * 257},
            {"Key": "team#1", "Value": "x"},
            {"Key": "team", "Value": "a,b"},
        ):
            with self.subTest(bad=bad["Key"][:20]):
                self.assertRefused("ValidationError", self.elb.add_tags, ResourceArns=arns, Tags=[bad])
        self.assertRefused(
            "ValidationError", self.group, "TCP", 443, Tags=[{"Key": "aws:team", "Value": "x"}]
        )

    def test_listeners_target_groups_and_load_balancers_are_paged(self):
        lb = self.nlb()
        for port in (1001, 1002, 1003):
            self.listener(lb, "TCP", port, self.group("TCP", port))
        first = self.elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"], PageSize=2)
        rest = self.elb.describe_listeners(
            LoadBalancerArn=lb["LoadBalancerArn"], PageSize=2, Marker=first["NextMarker"]
        )
        self.assertEqual((len(first["Listeners"]), len(rest["Listeners"])), (2, 1))
        self.assertNotIn("NextMarker", rest)
        paginator = self.elb.get_paginator("describe_target_groups")
        pages = list(
            paginator.paginate(LoadBalancerArn=lb["LoadBalancerArn"], PaginationConfig={"PageSize": 1})
        )
        self.assertEqual(len([g for p in pages for g in p["TargetGroups"]]), 3)
        self.nlb()
        pages = list(
            self.elb.get_paginator("describe_load_balancers").paginate(PaginationConfig={"PageSize": 1})
        )
        self.assertGreaterEqual(len(pages), 2)


if __name__ == "__main__":
    unittest.main()
