"""CreateCluster / DescribeClusters / DeleteCluster / tags of the emulated CloudHSM v2."""

import unittest

from botocore.exceptions import ClientError

from testing.harness import REGION, CloudHsmCase, network, wait_for

INVALID = "CloudHsmInvalidRequestException"


class CreateClusterRefuses(CloudHsmCase):
    def setUp(self) -> None:
        _, self.subnets = network(self.ec2)

    def test_non_fips_mode_on_hsm1_is_refused(self):
        self.assert_error(
            INVALID,
            self.hsm.create_cluster,
            contains="NON_FIPS is only available with HsmType hsm2m.medium",
            HsmType="hsm1.medium",
            Mode="NON_FIPS",
            SubnetIds=self.subnets,
        )

    def test_unknown_hsm_type_is_refused(self):
        self.assert_error(
            INVALID,
            self.hsm.create_cluster,
            contains="HsmType must be one of",
            HsmType="hsm3.large",
            SubnetIds=self.subnets,
        )

    def test_two_subnets_in_one_zone_are_refused(self):
        vpc, _ = network(self.ec2, zones=("a",), cidr="10.9.0.0/16")
        other = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.200.0/24", AvailabilityZone=REGION + "a")
        first = self.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        ids = [s["SubnetId"] for s in first]
        self.assertIn(other["Subnet"]["SubnetId"], ids)
        self.assert_error(
            INVALID,
            self.hsm.create_cluster,
            contains="only one subnet per Availability Zone",
            HsmType="hsm2m.medium",
            SubnetIds=ids,
        )

    def test_subnets_of_two_vpcs_are_refused(self):
        _, elsewhere = network(self.ec2, zones=("c",), cidr="10.8.0.0/16")
        self.assert_error(
            INVALID,
            self.hsm.create_cluster,
            contains="same VPC",
            HsmType="hsm2m.medium",
            SubnetIds=[self.subnets[0], elsewhere[0]],
        )

    def test_a_missing_subnet_is_not_found(self):
        self.assert_error(
            "CloudHsmResourceNotFoundException",
            self.hsm.create_cluster,
            contains="subnet-0123456789abcdef0",
            HsmType="hsm2m.medium",
            SubnetIds=["subnet-0123456789abcdef0"],
        )

    def test_dualstack_without_ipv6_subnets_is_refused(self):
        self.assert_error(
            INVALID,
            self.hsm.create_cluster,
            contains="DUALSTACK needs an IPv6 CIDR block",
            HsmType="hsm2m.medium",
            NetworkType="DUALSTACK",
            SubnetIds=self.subnets,
        )

    def test_ipv6_only_subnets_are_refused(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.7.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = self.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
            "Ipv6CidrBlock"
        ]
        only6 = self.ec2.create_subnet(
            VpcId=vpc,
            Ipv6Native=True,
            Ipv6CidrBlock=block.replace("/56", "/64"),
            AvailabilityZone=REGION + "a",
        )["Subnet"]["SubnetId"]
        self.assert_error(
            INVALID,
            self.hsm.create_cluster,
            contains="IPv6-only",
            HsmType="hsm2m.medium",
            NetworkType="DUALSTACK",
            SubnetIds=[only6],
        )

    def test_retention_outside_7_to_379_days_is_refused(self):
        # "abc" already fails AWS's model (BackupRetentionValue is [0-9]+, controls/model_check.py).
        for value, reason in (("6", "7 to 379"), ("380", "7 to 379"), ("abc", "BackupRetentionPolicy.Value")):
            with self.subTest(value=value):
                self.assert_error(
                    INVALID,
                    self.hsm.create_cluster,
                    contains=reason,
                    HsmType="hsm2m.medium",
                    SubnetIds=self.subnets,
                    BackupRetentionPolicy={"Type": "DAYS", "Value": value},
                )

    def test_reserved_tag_prefix_is_refused(self):
        self.assert_error(
            "CloudHsmTagException",
            self.hsm.create_cluster,
            contains="aws:",
            HsmType="hsm2m.medium",
            SubnetIds=self.subnets,
            TagList=[{"Key": "aws:x", "Value": "1"}],
        )

    def test_a_refused_cluster_leaves_no_security_group(self):
        before = len(self.ec2.describe_security_groups()["SecurityGroups"])
        with self.assertRaises(ClientError):
            self.hsm.create_cluster(HsmType="hsm1.medium", Mode="NON_FIPS", SubnetIds=self.subnets)
        self.assertEqual(len(self.ec2.describe_security_groups()["SecurityGroups"]), before)


class ClusterLifecycle(CloudHsmCase):
    def test_create_answers_create_in_progress_then_uninitialized(self):
        vpc, subnets = network(self.ec2)
        created = self.hsm.create_cluster(HsmType="hsm2m.medium", SubnetIds=subnets)["Cluster"]
        self.assertEqual(created["State"], "CREATE_IN_PROGRESS")
        self.assertEqual(created["VpcId"], vpc)
        self.assertEqual(created["SubnetMapping"], {REGION + "a": subnets[0], REGION + "b": subnets[1]})
        self.assertEqual(created["Mode"], "FIPS")
        self.assertEqual(created["NetworkType"], "IPV4")
        self.assertEqual(created["BackupRetentionPolicy"], {"Type": "DAYS", "Value": "90"})
        self.assertEqual(created["Certificates"], {})
        self.assertRegex(created["ClusterId"], r"^cluster-[2-7a-z]{11}$")
        self.wait_state(created["ClusterId"], "UNINITIALIZED")

    def test_cluster_gets_a_security_group_named_as_aws_names_it(self):
        vpc, subnets = network(self.ec2)
        cluster = self.new_cluster(subnets)
        group = self.ec2.describe_security_groups(GroupIds=[cluster["SecurityGroup"]])["SecurityGroups"][0]
        self.assertEqual(group["GroupName"], f"cloudhsm-{cluster['ClusterId']}-sg")
        self.assertEqual(group["VpcId"], vpc)
        for rules in (group["IpPermissions"], group["IpPermissionsEgress"]):
            self.assertEqual(len(rules), 1, rules)
            self.assertEqual(
                (rules[0]["IpProtocol"], rules[0]["FromPort"], rules[0]["ToPort"]), ("tcp", 2223, 2225)
            )
            self.assertEqual([p["GroupId"] for p in rules[0]["UserIdGroupPairs"]], [group["GroupId"]])

    def test_options_are_kept(self):
        _, subnets = network(self.ec2, ipv6=True)
        cluster = self.new_cluster(
            subnets,
            Mode="NON_FIPS",
            NetworkType="DUALSTACK",
            BackupRetentionPolicy={"Type": "DAYS", "Value": "7"},
            TagList=[{"Key": "team", "Value": "pki"}],
        )
        self.assertEqual((cluster["Mode"], cluster["NetworkType"]), ("NON_FIPS", "DUALSTACK"))
        self.assertEqual(cluster["BackupRetentionPolicy"]["Value"], "7")
        self.assertEqual(cluster["TagList"], [{"Key": "team", "Value": "pki"}])

    def test_delete_is_refused_while_hsms_exist(self):
        cluster = self.new_cluster()
        hsm = self.hsm.create_hsm(ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "a")["Hsm"]
        self.assert_error(
            INVALID, self.hsm.delete_cluster, contains=hsm["HsmId"], ClusterId=cluster["ClusterId"]
        )
        self.delete_hsm_and_wait(cluster["ClusterId"], hsm["HsmId"])
        self.hsm.delete_cluster(ClusterId=cluster["ClusterId"])

    def test_delete_goes_through_deleted_and_removes_the_security_group(self):
        cluster = self.new_cluster()
        deleting = self.hsm.delete_cluster(ClusterId=cluster["ClusterId"])["Cluster"]
        self.assertEqual(deleting["State"], "DELETE_IN_PROGRESS")
        self.wait_state(cluster["ClusterId"], "DELETED")
        groups = self.ec2.describe_security_groups(
            Filters=[{"Name": "group-id", "Values": [cluster["SecurityGroup"]]}]
        )
        self.assertEqual(groups["SecurityGroups"], [])
        wait_for(
            lambda: (
                not self.hsm.describe_clusters(Filters={"clusterIds": [cluster["ClusterId"]]})["Clusters"]
            ),
            "the deleted cluster to leave DescribeClusters",
        )
        self.assert_error(
            "CloudHsmResourceNotFoundException", self.hsm.delete_cluster, ClusterId=cluster["ClusterId"]
        )

    def test_describe_filters_and_pages(self):
        vpc, subnets = network(self.ec2)
        ids = [self.new_cluster(subnets, wait=None)["ClusterId"] for _ in range(3)]
        by_vpc = self.hsm.describe_clusters(Filters={"vpcIds": [vpc]})["Clusters"]
        self.assertEqual(sorted(c["ClusterId"] for c in by_vpc), sorted(ids))
        seen, token = [], None
        while True:
            kwargs = {
                "Filters": {"vpcIds": [vpc]},
                "MaxResults": 2,
                **({"NextToken": token} if token else {}),
            }
            page = self.hsm.describe_clusters(**kwargs)
            self.assertLessEqual(len(page["Clusters"]), 2)
            seen += [c["ClusterId"] for c in page["Clusters"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ids)  # oldest first, each once
        self.assert_error(
            INVALID, self.hsm.describe_clusters, contains="Unknown filter", Filters={"names": ["x"]}
        )
        self.assert_error(INVALID, self.hsm.describe_clusters, contains="MaxResults", MaxResults=26)


class Tags(CloudHsmCase):
    def test_tag_untag_list_on_a_cluster(self):
        cluster = self.new_cluster(TagList=[{"Key": "a", "Value": "1"}])
        cid = cluster["ClusterId"]
        self.hsm.tag_resource(
            ResourceId=cid, TagList=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}]
        )
        self.assertEqual(
            self.hsm.list_tags(ResourceId=cid)["TagList"],
            [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}],
        )
        self.hsm.untag_resource(ResourceId=cid, TagKeyList=["a"])
        self.assertEqual(self.cluster(cid)["TagList"], [{"Key": "b", "Value": "2"}])
        page = self.hsm.list_tags(ResourceId=cid, MaxResults=1)
        self.assertEqual(len(page["TagList"]), 1)
        self.assertNotIn("NextToken", page)

    def test_tags_on_a_missing_resource_are_not_found(self):
        self.assert_error(
            "CloudHsmResourceNotFoundException", self.hsm.list_tags, ResourceId="cluster-aaaaaaaaaaa"
        )

    def test_more_than_50_tags_are_refused(self):
        cluster = self.new_cluster(wait=None)
        tags = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
        self.hsm.tag_resource(ResourceId=cluster["ClusterId"], TagList=tags)
        self.assert_error(
            "CloudHsmTagException",
            self.hsm.tag_resource,
            contains="at most 50",
            ResourceId=cluster["ClusterId"],
            TagList=[{"Key": "one-more", "Value": "v"}],
        )


class ResourcePolicies(CloudHsmCase):
    def test_put_get_delete(self):
        arn = "arn:aws:cloudhsm:us-east-1:123456789012:backup/backup-aaaaaaaaaaa"
        self.assertNotIn("Policy", self.hsm.get_resource_policy(ResourceArn=arn))
        self.hsm.put_resource_policy(ResourceArn=arn, Policy='{"Version": "2012-10-17"}')
        self.assertEqual(self.hsm.get_resource_policy(ResourceArn=arn)["Policy"], '{"Version": "2012-10-17"}')
        self.assertEqual(
            self.hsm.delete_resource_policy(ResourceArn=arn)["Policy"], '{"Version": "2012-10-17"}'
        )
        self.assertNotIn("Policy", self.hsm.get_resource_policy(ResourceArn=arn))


if __name__ == "__main__":
    unittest.main()
