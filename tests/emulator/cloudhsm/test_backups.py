"""Backups (when AWS makes them, their states, filters, delete/restore, restore into a
new cluster, copy, tags) and ModifyCluster."""

import unittest

from testing.harness import REGION, CloudHsmCase, wait_for

INVALID = "CloudHsmInvalidRequestException"


class Backups(CloudHsmCase):
    def backups(self, cluster_id: str, **filters) -> list[dict]:
        return self.hsm.describe_backups(Filters={"clusterIds": [cluster_id], **filters})["Backups"]

    def ready_backups(self, cluster_id: str, count: int) -> list[dict]:
        return wait_for(
            lambda: (b := self.backups(cluster_id, states=["READY"])) and len(b) == count and b,
            f"{count} READY backup(s) of {cluster_id}",
        )

    def test_no_backup_before_initialization(self):
        cluster = self.new_cluster()
        hsm = self.new_hsm(cluster)
        self.delete_hsm_and_wait(cluster["ClusterId"], hsm["HsmId"])
        self.assertEqual(self.backups(cluster["ClusterId"]), [])

    def test_hsm_changes_on_an_initialized_cluster_make_backups(self):
        cluster, first = self.initialized_cluster()
        cid = cluster["ClusterId"]
        self.assertEqual(self.backups(cid), [])
        second = self.new_hsm(cluster, REGION + "b")  # added: backup of the existing HSM
        [made] = self.ready_backups(cid, 1)
        self.assertEqual((made["ClusterId"], made["HsmType"], made["Mode"]), (cid, "hsm2m.medium", "FIPS"))
        self.assertFalse(made["NeverExpires"])
        self.assertTrue(made["BackupArn"].endswith(f":backup/{made['BackupId']}"))
        self.delete_hsm_and_wait(cid, second["HsmId"])  # removed: another
        self.ready_backups(cid, 2)
        self.delete_hsm_and_wait(cid, first["HsmId"])
        self.ready_backups(cid, 3)

    def test_a_backup_is_created_in_progress_then_ready(self):
        cluster, _ = self.initialized_cluster()
        with self.delays(backup_create=60):
            self.emu.control("POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]})
        [backup] = self.backups(cluster["ClusterId"])
        self.assertEqual(backup["BackupState"], "CREATE_IN_PROGRESS")
        self.assert_error(
            INVALID, self.hsm.delete_backup, contains="only a READY backup", BackupId=backup["BackupId"]
        )

    def test_filters_and_pages(self):
        cluster, first = self.initialized_cluster()
        cid = cluster["ClusterId"]
        for zone in ("b", "a", "b"):
            hsm = self.new_hsm(cluster, REGION + zone)
            self.delete_hsm_and_wait(cid, hsm["HsmId"])
        backups = self.ready_backups(cid, 6)
        ids = [b["BackupId"] for b in backups]
        self.hsm.modify_backup_attributes(BackupId=ids[0], NeverExpires=True)
        kept = self.backups(cid, neverExpires=["true"])
        self.assertEqual([b["BackupId"] for b in kept], [ids[0]])
        self.assertEqual(len(self.backups(cid, neverExpires=["false"])), 5)
        self.assertEqual([b["BackupId"] for b in self.backups(cid, backupIds=[ids[2]])], [ids[2]])
        seen, token = [], None
        while True:
            page = self.hsm.describe_backups(
                Filters={"clusterIds": [cid]},
                MaxResults=4,
                SortAscending=True,
                **({"NextToken": token} if token else {}),
            )
            seen += [b["BackupId"] for b in page["Backups"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ids[::-1])  # newest first by default, oldest first ascending
        self.assert_error(
            INVALID, self.hsm.describe_backups, contains="Unknown filter", Filters={"name": ["x"]}
        )
        self.assert_error(INVALID, self.hsm.describe_backups, contains="MaxResults", MaxResults=51)

    def test_delete_then_restore_a_backup(self):
        cluster, _ = self.initialized_cluster()
        self.emu.control("POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]})
        [backup] = self.ready_backups(cluster["ClusterId"], 1)
        deleted = self.hsm.delete_backup(BackupId=backup["BackupId"])["Backup"]
        self.assertEqual(deleted["BackupState"], "PENDING_DELETION")
        self.assertAlmostEqual(
            deleted["DeleteTimestamp"].timestamp() - deleted["CreateTimestamp"].timestamp(),
            7 * 86400,
            delta=60,
        )
        self.assertEqual(len(self.backups(cluster["ClusterId"], states=["PENDING_DELETION"])), 1)
        restored = self.hsm.restore_backup(BackupId=backup["BackupId"])["Backup"]
        self.assertEqual(restored["BackupState"], "READY")
        self.assertNotIn("DeleteTimestamp", restored)
        self.assert_error(
            INVALID, self.hsm.restore_backup, contains="PENDING_DELETION", BackupId=backup["BackupId"]
        )
        self.assert_error(
            "CloudHsmResourceNotFoundException", self.hsm.delete_backup, BackupId="backup-aaaaaaaaaaa"
        )

    def test_a_cluster_restored_from_a_backup_is_active_with_its_certificate(self):
        cluster, _ = self.initialized_cluster(TagList=[{"Key": "app", "Value": "pki"}])
        self.emu.control("POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]})
        [backup] = self.ready_backups(cluster["ClusterId"], 1)
        restored = self.new_cluster(SourceBackupId=backup["BackupArn"], wait="ACTIVE")
        self.assertEqual(restored["SourceBackupId"], backup["BackupId"])
        self.assertEqual(restored["Certificates"], cluster["Certificates"])
        self.new_hsm(restored)  # an ACTIVE cluster takes HSMs without initialization
        self.new_hsm(restored, REGION + "b")
        self.assert_error(
            INVALID,
            self.hsm.create_cluster,
            contains="must have Mode FIPS",
            HsmType="hsm2m.medium",
            Mode="NON_FIPS",
            SubnetIds=list(cluster["SubnetMapping"].values()),
            SourceBackupId=backup["BackupId"],
        )
        self.assert_error(
            "CloudHsmResourceNotFoundException",
            self.hsm.create_cluster,
            HsmType="hsm2m.medium",
            SubnetIds=list(cluster["SubnetMapping"].values()),
            SourceBackupId="backup-aaaaaaaaaaa",
        )

    def test_copy_to_another_region(self):
        cluster, _ = self.initialized_cluster()
        self.emu.control("POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]})
        [backup] = self.ready_backups(cluster["ClusterId"], 1)
        self.hsm.tag_resource(ResourceId=backup["BackupId"], TagList=[{"Key": "k", "Value": "v"}])
        answer = self.hsm.copy_backup_to_region(DestinationRegion="eu-west-1", BackupId=backup["BackupId"])
        self.assertEqual(answer["DestinationBackup"]["SourceBackup"], backup["BackupId"])
        west = self.emu.client("cloudhsmv2", region="eu-west-1")
        copies = wait_for(
            lambda: west.describe_backups(
                Filters={"sourceBackupIds": [backup["BackupId"]], "states": ["READY"]}
            )["Backups"],
            "the copy",
        )
        self.assertEqual(
            (copies[0]["SourceRegion"], copies[0]["SourceCluster"]), (REGION, cluster["ClusterId"])
        )
        self.assertNotIn("ClusterId", copies[0])
        self.assertEqual(
            west.list_tags(ResourceId=copies[0]["BackupId"])["TagList"], [{"Key": "k", "Value": "v"}]
        )
        self.assert_error(
            INVALID,
            self.hsm.copy_backup_to_region,
            contains="own Region",
            DestinationRegion=REGION,
            BackupId=backup["BackupId"],
        )

    def test_a_copy_has_its_own_lifecycle_and_only_the_given_tags(self):
        cluster, _ = self.initialized_cluster()
        self.emu.control("POST", "/_trustchain/cloudhsm/activate", {"ClusterId": cluster["ClusterId"]})
        [backup] = self.ready_backups(cluster["ClusterId"], 1)
        self.hsm.tag_resource(ResourceId=backup["BackupId"], TagList=[{"Key": "source", "Value": "s"}])
        with self.delays(backup_create=1.5):  # the copy is seen CREATE_IN_PROGRESS first
            answer = self.hsm.copy_backup_to_region(
                DestinationRegion="us-west-2",
                BackupId=backup["BackupId"],
                TagList=[{"Key": "purpose", "Value": "dr"}],
            )["DestinationBackup"]
        self.assertEqual(
            sorted(answer), ["CreateTimestamp", "SourceBackup", "SourceCluster", "SourceRegion"]
        )
        west = self.emu.client("cloudhsmv2", region="us-west-2")
        [copy] = west.describe_backups(Filters={"sourceBackupIds": [backup["BackupId"]]})["Backups"]
        self.assertEqual(copy["BackupState"], "CREATE_IN_PROGRESS")
        self.assertNotEqual(copy["BackupId"], backup["BackupId"])
        self.assertTrue(copy["BackupArn"].startswith("arn:aws:cloudhsm:us-west-2:"), copy["BackupArn"])
        wait_for(
            lambda: west.describe_backups(Filters={"backupIds": [copy["BackupId"]], "states": ["READY"]})[
                "Backups"
            ],
            "the copy READY",
        )
        self.assertEqual(
            west.list_tags(ResourceId=copy["BackupId"])["TagList"], [{"Key": "purpose", "Value": "dr"}]
        )
        # The source region knows nothing of the copy; the copy is not the source's cluster's.
        self.assertEqual(len(self.backups(cluster["ClusterId"])), 1)
        self.assertEqual(west.describe_backups(Filters={"clusterIds": [cluster["ClusterId"]]})["Backups"], [])


class ModifyCluster(CloudHsmCase):
    def test_retention_changes_in_place(self):
        cluster = self.new_cluster()
        changed = self.hsm.modify_cluster(
            ClusterId=cluster["ClusterId"], BackupRetentionPolicy={"Type": "DAYS", "Value": "30"}
        )["Cluster"]
        self.assertEqual(
            (changed["State"], changed["BackupRetentionPolicy"]["Value"]), ("UNINITIALIZED", "30")
        )
        self.assertEqual(self.cluster(cluster["ClusterId"])["BackupRetentionPolicy"]["Value"], "30")
        for value in ("6", "380"):
            self.assert_error(
                INVALID,
                self.hsm.modify_cluster,
                contains="7 to 379",
                ClusterId=cluster["ClusterId"],
                BackupRetentionPolicy={"Type": "DAYS", "Value": value},
            )
        self.assert_error(
            INVALID, self.hsm.modify_cluster, contains="Nothing to modify", ClusterId=cluster["ClusterId"]
        )

    def test_hsm1_to_hsm2m_migrates_and_returns_to_the_previous_state(self):
        cluster, hsm = self.initialized_cluster(HsmType="hsm1.medium")
        cid = cluster["ClusterId"]
        with self.delays(cluster_modify=60):
            changing = self.hsm.modify_cluster(ClusterId=cid, HsmType="hsm2m.medium")["Cluster"]
        self.assertEqual(changing["State"], "MODIFY_IN_PROGRESS")
        self.assertIn("HsmTypeRollbackExpiration", changing)
        self.assert_error(
            INVALID,
            self.hsm.modify_cluster,
            contains="MODIFY_IN_PROGRESS",
            ClusterId=cid,
            BackupRetentionPolicy={"Type": "DAYS", "Value": "30"},
        )
        # "Before migrating the first HSM, AWS CloudHSM creates a full backup"
        self.assertEqual(len(self.hsm.describe_backups(Filters={"clusterIds": [cid]})["Backups"]), 1)

    def test_migration_completes(self):
        cluster, hsm = self.initialized_cluster(HsmType="hsm1.medium")
        cid = cluster["ClusterId"]
        self.hsm.modify_cluster(ClusterId=cid, HsmType="hsm2m.medium")
        done = self.wait_state(cid, "INITIALIZED")
        self.assertEqual(done["HsmType"], "hsm2m.medium")
        self.assertEqual([(h["HsmType"], h["EniIp"]) for h in done["Hsms"]], [("hsm2m.medium", hsm["EniIp"])])
        # Rollback within the window, then no second rollback.
        rolling = self.hsm.modify_cluster(ClusterId=cid, HsmType="hsm1.medium")["Cluster"]
        self.assertEqual(rolling["State"], "ROLLBACK_IN_PROGRESS")
        back = self.wait_state(cid, "INITIALIZED")
        self.assertEqual(back["HsmType"], "hsm1.medium")
        self.assertNotIn("HsmTypeRollbackExpiration", back)

    def test_other_type_changes_are_refused(self):
        cluster = self.new_cluster()  # hsm2m.medium from the start: nothing to roll back to
        self.assert_error(
            INVALID,
            self.hsm.modify_cluster,
            contains="only be migrated from hsm1.medium to hsm2m.medium",
            ClusterId=cluster["ClusterId"],
            HsmType="hsm1.medium",
        )
        self.assert_error(
            INVALID,
            self.hsm.modify_cluster,
            contains="already has HsmType",
            ClusterId=cluster["ClusterId"],
            HsmType="hsm2m.medium",
        )


if __name__ == "__main__":
    unittest.main()
