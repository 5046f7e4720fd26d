"""InitializeCluster: what AWS refuses, and the way to INITIALIZED and ACTIVE."""

import datetime
import unittest

from cryptography.hazmat.primitives.asymmetric import rsa

from testing import testca
from testing.harness import REGION, CloudHsmCase, wait_for
from testing.testca import CA, ec_ca

INVALID = "CloudHsmInvalidRequestException"


class InitializeRefuses(CloudHsmCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.ca = CA()
        cls.intermediate = CA("Intermediate", issuer=cls.ca)
        # One cluster with a CSR serves every refusal: a refused call changes nothing.
        cluster = cls.hsm.create_cluster(HsmType="hsm2m.medium", SubnetIds=cls._subnets())["Cluster"]
        cls.cluster_id = cluster["ClusterId"]
        wait_for(lambda: cls._state() == "UNINITIALIZED", "cluster UNINITIALIZED")
        cls.hsm.create_hsm(ClusterId=cls.cluster_id, AvailabilityZone=REGION + "a")
        cls.csr_pem = wait_for(lambda: cls._certificates().get("ClusterCsr"), "CSR")

    @classmethod
    def _subnets(cls):
        from testing.harness import network

        return network(cls.ec2)[1]

    @classmethod
    def _cluster(cls):
        return cls.hsm.describe_clusters(Filters={"clusterIds": [cls.cluster_id]})["Clusters"][0]

    @classmethod
    def _state(cls):
        return cls._cluster()["State"]

    @classmethod
    def _certificates(cls):
        return cls._cluster()["Certificates"]

    def tearDown(self) -> None:
        self.assertEqual(self._state(), "UNINITIALIZED", "a refused InitializeCluster changed the cluster")

    def refuse(self, contains: str, signed: str, anchor: str) -> None:
        self.assert_error(
            INVALID,
            self.hsm.initialize_cluster,
            contains=contains,
            ClusterId=self.cluster_id,
            SignedCert=signed,
            TrustAnchor=anchor,
        )

    def test_the_hsm_certificate_chains_to_both_test_roots_and_certifies_the_csr_key(self):
        from cryptography import x509

        status, roots = self.emu.control("GET", "/_trustchain/cloudhsm/test-roots")
        self.assertEqual(status, 200)
        certs = self._certificates()
        load = lambda pem: x509.load_pem_x509_certificate(pem.encode())  # noqa: E731
        hsm_cert = load(certs["HsmCertificate"])
        aws_hw, mfr_hw = load(certs["AwsHardwareCertificate"]), load(certs["ManufacturerHardwareCertificate"])
        hsm_cert.verify_directly_issued_by(aws_hw)
        hsm_cert.verify_directly_issued_by(mfr_hw)
        aws_hw.verify_directly_issued_by(load(roots["AwsRoot"]))
        mfr_hw.verify_directly_issued_by(load(roots["ManufacturerRoot"]))
        csr = x509.load_pem_x509_csr(certs["ClusterCsr"].encode())
        self.assertEqual(csr.public_key(), hsm_cert.public_key())

    def test_the_intercept_control_serves_a_csr_for_another_key(self):
        from cryptography import x509

        self.emu.control("POST", "/_trustchain/cloudhsm/intercept-csr", {"Enabled": True})
        try:
            certs = self._certificates()
        finally:
            self.emu.control("POST", "/_trustchain/cloudhsm/intercept-csr", {"Enabled": False})
        csr = x509.load_pem_x509_csr(certs["ClusterCsr"].encode())
        hsm_cert = x509.load_pem_x509_certificate(certs["HsmCertificate"].encode())
        self.assertNotEqual(csr.public_key(), hsm_cert.public_key())
        self.assertEqual(csr.subject, hsm_cert.subject)
        self.assertEqual(self._certificates()["ClusterCsr"], self.csr_pem)

    def test_garbage_pem_is_refused(self):
        signed = self.ca.sign_csr(self.csr_pem)
        self.refuse("TrustAnchor is not a PEM-encoded X.509 certificate", signed, "not a certificate")
        self.refuse(
            "SignedCert is not a PEM-encoded X.509 certificate",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            self.ca.pem,
        )

    def test_a_trust_anchor_that_is_not_self_signed_is_refused(self):
        intermediate = self.intermediate
        self.refuse(
            "TrustAnchor is not a self-signed certificate",
            intermediate.sign_csr(self.csr_pem),
            intermediate.pem,
        )

    def test_an_anchor_that_did_not_sign_the_cert_directly_is_refused(self):
        # AWS API reference: the certificate that signed the CSR "must be the root certificate".
        intermediate = self.intermediate
        self.refuse(
            "SignedCert was not signed by the TrustAnchor", intermediate.sign_csr(self.csr_pem), self.ca.pem
        )

    def test_a_chain_in_the_trust_anchor_is_refused(self):
        intermediate = self.intermediate
        self.refuse(
            "holds 2 certificates", intermediate.sign_csr(self.csr_pem), intermediate.pem + self.ca.pem
        )

    def test_a_cert_signed_by_another_ca_is_refused(self):
        other = CA("Other", key=self.intermediate.key)  # another root, another name
        self.refuse("SignedCert was not signed by the TrustAnchor", other.sign_csr(self.csr_pem), self.ca.pem)

    def test_a_cert_for_another_key_is_refused(self):
        other_key = self.intermediate.key.public_key()
        self.refuse("does not certify the cluster's key", self.ca.sign_key(other_key), self.ca.pem)

    def test_an_anchor_without_an_rsa_2048_or_4096_key_is_refused(self):
        anchor = ec_ca()
        self.refuse("RSA 2048 or RSA 4096", anchor.sign_csr(self.csr_pem), anchor.pem)

    def test_an_anchor_with_extensions_but_no_basic_constraints_is_refused(self):
        anchor = CA("No constraints", key=self.ca.key, basic_constraints=False, other_extension=True)
        self.refuse("no Basic Constraints extension", anchor.sign_csr(self.csr_pem), anchor.pem)

    def test_an_expired_signed_cert_is_refused(self):
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
        self.refuse("SignedCert expired", self.ca.sign_csr(self.csr_pem, not_after=past), self.ca.pem)

    def test_an_over_long_certificate_is_refused(self):
        self.refuse("the maximum is 5000", self.ca.sign_csr(self.csr_pem), self.ca.pem + "\n" * 5000)


class InitializeStates(CloudHsmCase):
    def test_a_cluster_without_a_csr_is_refused(self):
        cluster = self.new_cluster()
        self.assert_error(
            INVALID,
            self.hsm.initialize_cluster,
            contains="has no CSR yet",
            ClusterId=cluster["ClusterId"],
            SignedCert=testca.shared().pem,
            TrustAnchor=testca.shared().pem,
        )

    def test_a_cluster_being_created_is_refused(self):
        with self.delays(cluster_create=60):
            cluster = self.new_cluster(wait=None)
        self.assert_error(
            INVALID,
            self.hsm.initialize_cluster,
            contains="only an UNINITIALIZED cluster",
            ClusterId=cluster["ClusterId"],
            SignedCert=testca.shared().pem,
            TrustAnchor=testca.shared().pem,
        )

    def test_unknown_cluster_is_not_found(self):
        self.assert_error(
            "CloudHsmResourceNotFoundException",
            self.hsm.initialize_cluster,
            ClusterId="cluster-aaaaaaaaaaa",
            SignedCert="x",
            TrustAnchor="y",
        )

    def test_a_signed_csr_initializes_the_cluster(self):
        ca = testca.shared()
        cluster = self.new_cluster()
        self.new_hsm(cluster)
        signed = ca.sign_csr(self.csr(cluster["ClusterId"]))
        answer = self.hsm.initialize_cluster(
            ClusterId=cluster["ClusterId"], SignedCert=signed, TrustAnchor=ca.pem
        )
        self.assertEqual(answer["State"], "INITIALIZE_IN_PROGRESS")
        self.assertIn("INITIALIZED", answer["StateMessage"])
        done = self.wait_state(cluster["ClusterId"], "INITIALIZED")
        # The CSR and HSM attestation are gone once initialized; the cluster certificate stays.
        self.assertEqual(done["Certificates"], {"ClusterCertificate": signed})
        self.assert_error(
            INVALID,
            self.hsm.initialize_cluster,
            contains="is INITIALIZED",
            ClusterId=cluster["ClusterId"],
            SignedCert=signed,
            TrustAnchor=ca.pem,
        )

    def test_a_4096_bit_anchor_is_accepted(self):
        ca = CA("Big root", key=rsa.generate_private_key(public_exponent=65537, key_size=4096))
        cluster, _ = self.initialized_cluster(ca=ca)
        self.assertEqual(cluster["State"], "INITIALIZED")

    def test_second_hsm_is_allowed_once_initialized(self):
        cluster, first = self.initialized_cluster()
        second = self.new_hsm(cluster, REGION + "b")
        ids = sorted(h["HsmId"] for h in self.cluster(cluster["ClusterId"])["Hsms"])
        self.assertEqual(ids, sorted([first["HsmId"], second["HsmId"]]))

    def test_activation_hook_moves_initialized_to_active(self):
        cluster, _ = self.initialized_cluster()
        status, body = self.emu.control(
            "POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]}
        )
        self.assertEqual((status, body["State"]), (200, "ACTIVE"))
        self.assertEqual(self.cluster(cluster["ClusterId"])["State"], "ACTIVE")
        status, body = self.emu.control(
            "POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]}
        )
        self.assertEqual(status, 409, body)
        status, _ = self.emu.control(
            "POST", "/_trustchain/cloudhsm/activate", {"ClusterId": "cluster-aaaaaaaaaaa"}
        )
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()


class SecondHsmRule(CloudHsmCase):
    """The control for when AWS takes another HSM (hashicorp/aws #7437)."""

    def rule(self, rule: str) -> None:
        status, body = self.emu.control("POST", "/_trustchain/cloudhsm/second-hsm-rule", {"Rule": rule})
        self.assertEqual(status, 200, body)
        self.addCleanup(
            self.emu.control, "POST", "/_trustchain/cloudhsm/second-hsm-rule", {"Rule": "cluster_initialized"}
        )

    def refused(self, cluster: dict, zone: str = REGION + "b") -> None:
        self.assert_error(
            INVALID,
            self.hsm.create_hsm,
            contains="already contains an HSM",
            ClusterId=cluster["ClusterId"],
            AvailabilityZone=zone,
        )

    def test_an_unknown_rule_is_refused(self):
        status, _ = self.emu.control("POST", "/_trustchain/cloudhsm/second-hsm-rule", {"Rule": "whenever"})
        self.assertEqual(status, 400)

    def test_first_hsm_active_takes_a_second_hsm_before_initialization(self):
        self.rule("first_hsm_active")
        cluster = self.new_cluster()
        self.new_hsm(cluster)  # waits until ACTIVE
        self.new_hsm(cluster, REGION + "b")

    def test_while_an_hsm_is_being_created_every_rule_refuses(self):
        self.rule("first_hsm_active")
        cluster = self.new_cluster()
        with self.delays(hsm_create=60):
            self.hsm.create_hsm(ClusterId=cluster["ClusterId"], AvailabilityZone=REGION + "a")
            self.refused(cluster)

    def test_cluster_initialized_refuses_until_initialized(self):
        self.rule("cluster_initialized")
        cluster = self.new_cluster()
        self.new_hsm(cluster)
        self.refused(cluster)
        initialized, _ = self.initialized_cluster()
        self.new_hsm(initialized, REGION + "b")

    def test_cluster_active_refuses_until_activated(self):
        self.rule("cluster_active")
        cluster, _ = self.initialized_cluster()
        self.refused(cluster)
        status, _ = self.emu.control("POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]})
        self.assertEqual(status, 200)
        self.new_hsm(cluster, REGION + "b")
