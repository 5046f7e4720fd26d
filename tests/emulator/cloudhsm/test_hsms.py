"""CreateHsm / DeleteHsm, their ENIs, the #7437 rule and the cluster CSR."""

import ipaddress
import unittest

from cryptography import x509

from testing.harness import REGION, CloudHsmCase, network, wait_for

INVALID = "CloudHsmInvalidRequestException"


class Hsms(CloudHsmCase):
    def eni(self, eni_id: str) -> dict | None:
        found = self.ec2.describe_network_interfaces(
            Filters=[{"Name": "network-interface-id", "Values": [eni_id]}]
        )["NetworkInterfaces"]
        return found[0] if found else None

    def test_create_hsm_puts_a_real_eni_in_the_zone_subnet(self):
        cluster = self.new_cluster()
        created = self.hsm.create_hsm(ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "b")["Hsm"]
        self.assertEqual(created["State"], "CREATE_IN_PROGRESS")
        self.assertEqual(created["SubnetId"], cluster["SubnetMapping"][REGION + "b"])
        self.assertEqual((created["ClusterId"], created["HsmType"]), (cluster["ClusterId"], "hsm2m.medium"))
        self.assertRegex(created["HsmId"], r"^hsm-[2-7a-z]{11}$")
        self.assertNotIn("EniIpV6", created)
        eni = self.eni(created["EniId"])
        self.assertEqual(eni["PrivateIpAddress"], created["EniIp"])
        self.assertEqual(eni["SubnetId"], created["SubnetId"])
        self.assertEqual([g["GroupId"] for g in eni["Groups"]], [cluster["SecurityGroup"]])
        subnet = self.ec2.describe_subnets(SubnetIds=[created["SubnetId"]])["Subnets"][0]
        self.assertIn(ipaddress.ip_address(created["EniIp"]), ipaddress.ip_network(subnet["CidrBlock"]))
        wait_for(lambda: self.hsm_state(cluster["ClusterId"], created["HsmId"]) == "ACTIVE", "HSM ACTIVE")
        listed = self.cluster(cluster["ClusterId"])["Hsms"]
        self.assertEqual([h["HsmId"] for h in listed], [created["HsmId"]])

    def test_requested_ip_address_is_used(self):
        cluster = self.new_cluster()
        hsm = self.hsm.create_hsm(
            ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "a", IpAddress="10.0.1.50"
        )["Hsm"]
        self.assertEqual(hsm["EniIp"], "10.0.1.50")
        self.assertEqual(self.eni(hsm["EniId"])["PrivateIpAddress"], "10.0.1.50")

    def test_bad_ip_addresses_are_refused(self):
        cluster = self.new_cluster()
        self.ec2.create_network_interface(
            SubnetId=cluster["SubnetMapping"][REGION + "a"], PrivateIpAddress="10.0.1.60"
        )
        for address, reason in (
            ("10.0.2.10", "is not in subnet"),
            ("10.0.1.2", "reserved"),
            ("10.0.1.60", "already in use"),
            # Refused by AWS's model already (IpAddress is a dotted quad, controls/model_check.py).
            ("fd00::1", "IpAddress: does not match the pattern"),
        ):
            with self.subTest(address=address):
                self.assert_error(
                    INVALID,
                    self.hsm.create_hsm,
                    contains=reason,
                    ClusterId=cluster["ClusterId"],
                    AvailabilityZone=REGION + "a",
                    IpAddress=address,
                )
        self.assertEqual(self.cluster(cluster["ClusterId"])["Hsms"], [])

    def test_zone_without_a_cluster_subnet_is_refused(self):
        cluster = self.new_cluster()
        self.assert_error(
            INVALID,
            self.hsm.create_hsm,
            contains="no subnet in Availability Zone",
            ClusterId=cluster["ClusterId"],
            AvailabilityZone=REGION + "c",
        )

    def test_unknown_cluster_is_not_found(self):
        self.assert_error(
            "CloudHsmResourceNotFoundException",
            self.hsm.create_hsm,
            ClusterId="cluster-aaaaaaaaaaa",
            AvailabilityZone=REGION + "a",
        )

    def test_no_hsm_while_the_cluster_is_being_created(self):
        with self.delays(cluster_create=60):
            cluster = self.new_cluster(wait=None)
        self.assert_error(
            INVALID,
            self.hsm.create_hsm,
            contains="CREATE_IN_PROGRESS",
            ClusterId=cluster["ClusterId"],
            AvailabilityZone=REGION + "a",
        )

    def test_second_hsm_before_initialization_fails_as_aws_does_7437(self):
        cluster = self.new_cluster()
        self.hsm.create_hsm(ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "a")
        message = self.assert_error(
            INVALID, self.hsm.create_hsm, ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "b"
        )
        self.assertEqual(
            message,
            f"Cluster '{cluster['ClusterId']}' already contains an HSM but has not yet been fully activated",
        )
        # Also once the first HSM is ACTIVE: only initialization lifts the rule.
        self.csr(cluster["ClusterId"])
        self.assert_error(
            INVALID,
            self.hsm.create_hsm,
            contains="not yet been fully activated",
            ClusterId=cluster["ClusterId"],
            AvailabilityZone=REGION + "b",
        )

    def test_dualstack_hsm_gets_an_ipv6_address_on_its_eni(self):
        _, subnets = network(self.ec2, ipv6=True)
        cluster = self.new_cluster(subnets, NetworkType="DUALSTACK")
        hsm = self.hsm.create_hsm(ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "a")["Hsm"]
        subnet = self.ec2.describe_subnets(SubnetIds=[hsm["SubnetId"]])["Subnets"][0]
        block = subnet["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        self.assertIn(ipaddress.ip_address(hsm["EniIpV6"]), ipaddress.ip_network(block))
        eni = self.eni(hsm["EniId"])
        self.assertEqual([a["Ipv6Address"] for a in eni["Ipv6Addresses"]], [hsm["EniIpV6"]])

    def test_delete_by_eni_id_or_ip_removes_the_eni(self):
        for key in ("EniId", "EniIp", "HsmId"):
            with self.subTest(by=key):
                cluster = self.new_cluster()
                hsm = self.new_hsm(cluster)
                with self.delays(hsm_delete=0.4):  # long enough to see the state under load
                    answer = self.hsm.delete_hsm(ClusterId=cluster["ClusterId"], **{key: hsm[key]})
                self.assertEqual(answer["HsmId"], hsm["HsmId"])
                self.assertEqual(self.hsm_state(cluster["ClusterId"], hsm["HsmId"]), "DELETE_IN_PROGRESS")
                self.assertIsNotNone(self.eni(hsm["EniId"]))
                wait_for(
                    lambda c=cluster, h=hsm: self.hsm_state(c["ClusterId"], h["HsmId"]) is None, "HSM gone"
                )
                self.assertIsNone(self.eni(hsm["EniId"]))

    def test_delete_of_an_unknown_hsm_is_not_found(self):
        cluster = self.new_cluster()
        self.assert_error(
            "CloudHsmResourceNotFoundException",
            self.hsm.delete_hsm,
            ClusterId=cluster["ClusterId"],
            HsmId="hsm-aaaaaaaaaaa",
        )
        self.assert_error(
            INVALID,
            self.hsm.delete_hsm,
            contains="one of HsmId, EniId or EniIp",
            ClusterId=cluster["ClusterId"],
        )


class ClusterCsr(CloudHsmCase):
    def test_no_csr_before_the_first_hsm_is_active(self):
        cluster = self.new_cluster()
        self.assertEqual(cluster["Certificates"], {})
        # Long enough that the HSM is still CREATE_IN_PROGRESS under load (20 ms was not).
        with self.delays(hsm_create=30):
            self.hsm.create_hsm(ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "a")
            self.assertNotIn("ClusterCsr", self.cluster(cluster["ClusterId"])["Certificates"])

    def test_csr_is_a_real_pkcs10_request_and_the_hsm_certificate_matches_it(self):
        cluster = self.new_cluster()
        self.new_hsm(cluster)
        certificates = self.cluster(cluster["ClusterId"])["Certificates"]
        csr = x509.load_pem_x509_csr(certificates["ClusterCsr"].encode())
        self.assertTrue(csr.is_signature_valid)
        hsm_cert = x509.load_pem_x509_certificate(certificates["HsmCertificate"].encode())
        self.assertEqual(hsm_cert.public_key(), csr.public_key())
        for name in ("AwsHardwareCertificate", "ManufacturerHardwareCertificate"):
            hardware = x509.load_pem_x509_certificate(certificates[name].encode())
            hsm_cert.verify_directly_issued_by(hardware)  # the chain AWS documents

    def test_a_new_first_hsm_makes_a_new_csr(self):
        cluster = self.new_cluster()
        first = self.new_hsm(cluster)
        before = self.csr(cluster["ClusterId"])
        self.delete_hsm_and_wait(cluster["ClusterId"], first["HsmId"])
        self.assertNotIn("ClusterCsr", self.cluster(cluster["ClusterId"])["Certificates"])
        self.new_hsm(cluster, REGION + "b")
        after = self.csr(cluster["ClusterId"])
        self.assertNotEqual(
            x509.load_pem_x509_csr(before.encode()).public_key(),
            x509.load_pem_x509_csr(after.encode()).public_key(),
        )


if __name__ == "__main__":
    unittest.main()
