"""The happy path end to end, as the provider will walk it: subnets in two AZs ->
cluster -> HSM -> CSR -> sign with a CA made here -> InitializeCluster ->
INITIALIZED -> second HSM -> backups -> activation -> delete everything."""

import unittest

from testing import testca
from testing.harness import REGION, CloudHsmCase, network, wait_for


class Lifecycle(CloudHsmCase):
    def test_cluster_from_nothing_to_initialized_and_back_to_nothing(self):
        vpc, subnets = network(self.ec2, zones=("a", "b"), ipv6=True, cidr="10.50.0.0/16")
        created = self.hsm.create_cluster(
            HsmType="hsm2m.medium",
            SubnetIds=subnets,
            NetworkType="DUALSTACK",
            BackupRetentionPolicy={"Type": "DAYS", "Value": "30"},
            TagList=[{"Key": "Name", "Value": "trustchain"}],
        )["Cluster"]
        cid = created["ClusterId"]
        self.wait_state(cid, "UNINITIALIZED")

        first = self.new_hsm(created, REGION + "a")
        self.assertIn("EniIpV6", first)
        csr = self.csr(cid)
        ca = testca.CA("TrustChain Root CA")
        signed = ca.sign_csr(csr)
        self.hsm.initialize_cluster(ClusterId=cid, SignedCert=signed, TrustAnchor=ca.pem)
        initialized = self.wait_state(cid, "INITIALIZED")
        self.assertEqual(initialized["Certificates"], {"ClusterCertificate": signed})

        second = self.new_hsm(initialized, REGION + "b")
        hsms = self.cluster(cid)["Hsms"]
        self.assertEqual({h["AvailabilityZone"] for h in hsms}, {REGION + "a", REGION + "b"})
        self.assertEqual({h["State"] for h in hsms}, {"ACTIVE"})
        backups = wait_for(
            lambda: self.hsm.describe_backups(Filters={"clusterIds": [cid], "states": ["READY"]})["Backups"],
            "a backup after the second HSM",
        )
        self.assertEqual(len(backups), 1)

        status, _ = self.emu.control("POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cid})
        self.assertEqual(status, 200)
        self.assertEqual(self.cluster(cid)["State"], "ACTIVE")

        for hsm in (first, second):
            self.delete_hsm_and_wait(cid, hsm["HsmId"])
        self.hsm.delete_cluster(ClusterId=cid)
        wait_for(
            lambda: not self.hsm.describe_clusters(Filters={"clusterIds": [cid]})["Clusters"], "cluster gone"
        )

        enis = self.ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "NetworkInterfaces"
        ]
        self.assertEqual(enis, [])
        groups = self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "SecurityGroups"
        ]
        self.assertEqual([g["GroupName"] for g in groups], ["default"])
        # Backups outlive their cluster (that is what they are for); they can be deleted.
        remaining = self.hsm.describe_backups(Filters={"clusterIds": [cid]})["Backups"]
        self.assertEqual(len(remaining), 4)  # second HSM added, activation, two HSMs removed
        for backup in remaining:
            wait_for(
                lambda b=backup: self.hsm.describe_backups(
                    Filters={"backupIds": [b["BackupId"]], "states": ["READY"]}
                )["Backups"],
                "backup READY",
            )
            self.hsm.delete_backup(BackupId=backup["BackupId"])
        pending = self.hsm.describe_backups(Filters={"clusterIds": [cid], "states": ["PENDING_DELETION"]})[
            "Backups"
        ]
        self.assertEqual(len(pending), 4)


if __name__ == "__main__":
    unittest.main()
