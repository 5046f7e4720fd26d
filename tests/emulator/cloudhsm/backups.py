"""Backups, tags and the paging/filter helpers of the emulated CloudHSM v2 backend
(a mixin of cloudhsm_backend.HsmBackend).

When AWS makes a backup (user guide, "Cluster backups"): "at least once every 24
hours", and when you "Activate a cluster", "Add an HSM to an active cluster",
"Remove an HSM from an active cluster"; also before each HSM of a type migration.
A deleted backup is held 7 days (PENDING_DELETION) and can be restored until then.
"""

import base64
import time

from cloudhsm.model import Backup, Cluster, invalid, new_id, not_found, tag_error

MAX_TAGS = 50


class BackupOperations:
    # -- backups -----------------------------------------------------------------

    def _arn(self, backup_id: str, region: str | None = None) -> str:
        return f"arn:aws:cloudhsm:{region or self.region_name}:{self.account_id}:backup/{backup_id}"

    def _new_backup(self, **fields) -> Backup:
        backup_id = new_id("backup")
        backup = Backup(backup_id=backup_id, arn=self._arn(backup_id), **fields)
        self.backups[backup_id] = backup

        def ready(_due):
            if backup.state == "CREATE_IN_PROGRESS":
                backup.state = "READY"

        self.later("backup_create", ready)
        return backup

    def start_backup(self, cluster: Cluster) -> Backup:
        return self._new_backup(
            cluster_id=cluster.cluster_id,
            hsm_type=cluster.hsm_type,
            mode=cluster.mode,
            cluster_certificate=cluster.cluster_certificate,
        )

    def backup(self, backup_id) -> Backup:
        backup = self.backups.get(backup_id) if isinstance(backup_id, str) else None
        if backup is None:
            raise not_found(f"Backup '{backup_id}' does not exist in this account and Region.")
        return backup

    def find_backup_for_restore(self, reference: str) -> Backup:
        """A READY backup by ID or ARN (an ARN may name another account or Region)."""
        backend = self
        backup_id = reference
        if isinstance(reference, str) and reference.startswith("arn:"):
            parts = reference.split(":")
            if len(parts) != 6 or not parts[5].startswith("backup/"):
                raise invalid(f"SourceBackupId {reference!r} is not a backup ID or backup ARN.")
            from cloudhsm.backend import all_backends  # the backend module imports this one

            backup_id = parts[5][len("backup/") :]
            backend = next(
                (b for b in all_backends() if b.region_name == parts[3] and b.account_id == parts[4]),
                None,
            )
            if backend is None:
                raise not_found(f"Backup '{reference}' does not exist.")
        backup = backend.backup(backup_id)
        if backup.state != "READY":
            raise invalid(
                f"Backup '{backup.backup_id}' is {backup.state}; only a READY backup can be restored."
            )
        return backup

    def describe_backups_page(self, filters, next_token, max_results, sort_ascending, shared):
        filters = self.checked_filters(
            filters, ("backupIds", "sourceBackupIds", "clusterIds", "states", "neverExpires")
        )
        backups = [] if shared else list(self.backups.values())
        selectors = {
            "backupIds": lambda b: b.backup_id,
            "sourceBackupIds": lambda b: b.source_backup,
            "clusterIds": lambda b: b.cluster_id,
            "states": lambda b: b.state,
            "neverExpires": lambda b: "true" if b.never_expires else "false",
        }
        for key, values in filters.items():
            if key == "neverExpires":
                values = [v.lower() for v in values]
            backups = [b for b in backups if selectors[key](b) in values]
        # Newest first unless SortAscending, as moto's implementation orders them.
        backups.sort(key=lambda b: b.create_timestamp, reverse=not sort_ascending)
        return self.page(backups, next_token, max_results, 50)

    def delete_backup(self, backup_id) -> Backup:
        from controls.delays import get as delay

        backup = self.backup(backup_id)
        if backup.state != "READY":
            raise invalid(
                f"Backup '{backup.backup_id}' is {backup.state}; only a READY backup can be deleted."
            )
        backup.state = "PENDING_DELETION"
        backup.delete_timestamp = time.time() + delay("backup_purge")
        marker = backup.delete_timestamp

        def purged(_due):
            if backup.state == "PENDING_DELETION" and backup.delete_timestamp == marker:
                backup.state = "DELETED"

        self.schedule.at(marker, purged)
        return backup

    def restore_backup(self, backup_id) -> Backup:
        backup = self.backup(backup_id)
        if backup.state != "PENDING_DELETION":
            raise invalid(
                f"Backup '{backup.backup_id}' is {backup.state}; only a backup in PENDING_DELETION can be restored."
            )
        backup.state = "READY"
        backup.delete_timestamp = None
        return backup

    def modify_backup_attributes(self, backup_id, never_expires) -> Backup:
        backup = self.backup(backup_id)
        if not isinstance(never_expires, bool):
            raise invalid(f"NeverExpires must be true or false, got {never_expires!r}.")
        if backup.state == "DELETED":
            raise invalid(f"Backup '{backup.backup_id}' is DELETED.")
        backup.never_expires = never_expires
        return backup

    def copy_backup_to_region(self, destination_region, backup_id, tag_list) -> dict:
        """CopyBackupToRegion (API reference): "Copy an AWS CloudHSM cluster backup to a
        different region." The copy is a backup of the destination region with its own
        id and lifecycle (CREATE_IN_PROGRESS -> READY), found there by the
        `sourceBackupIds` filter: the answer is only `DestinationBackup: {CreateTimestamp,
        SourceBackup, SourceCluster, SourceRegion}`. TagList: "If you specify tags, only
        these tags will be applied to the destination backup. If you do not specify tags,
        the service copies tags from the source backup to the destination backup." That
        only a READY backup is copied is the emulator's choice (AWS documents nothing)."""
        from moto.cloudhsmv2.models import cloudhsmv2_backends

        backup = self.backup(backup_id)
        if backup.state != "READY":
            raise invalid(
                f"Backup '{backup.backup_id}' is {backup.state}; only a READY backup can be copied."
            )
        if destination_region == self.region_name:
            raise invalid(
                f"DestinationRegion is the backup's own Region ({self.region_name}); name another Region."
            )
        per_account = cloudhsmv2_backends[self.account_id]
        if not isinstance(destination_region, str) or destination_region not in per_account.regions:
            raise invalid(
                f"DestinationRegion {destination_region!r} is not a Region where CloudHSM is available."
            )
        destination = per_account[destination_region]
        tags = destination.checked_tags({}, tag_list) if tag_list else dict(backup.tags)
        copy = destination._new_backup(
            cluster_id=None,
            hsm_type=backup.hsm_type,
            mode=backup.mode,
            cluster_certificate=backup.cluster_certificate,
            create_timestamp=backup.create_timestamp,
            copy_timestamp=time.time(),
            source_region=self.region_name,
            source_backup=backup.backup_id,
            source_cluster=backup.cluster_id,
            tags=tags,
        )
        return {
            "CreateTimestamp": copy.create_timestamp,
            "SourceRegion": copy.source_region,
            "SourceBackup": copy.source_backup,
            "SourceCluster": copy.source_cluster,
        }

    # -- tags --------------------------------------------------------------------

    def tagged(self, resource_id):
        if isinstance(resource_id, str) and resource_id.startswith("cluster-"):
            return self.cluster(resource_id)
        if isinstance(resource_id, str) and resource_id.startswith("backup-"):
            return self.backup(resource_id)
        raise not_found(
            f"Resource '{resource_id}' is neither a cluster ID nor a backup ID of this account and Region."
        )

    def checked_tags(self, existing: dict, tag_list) -> dict:
        if not isinstance(tag_list, list):
            raise tag_error('TagList must be a list of {"Key": ..., "Value": ...}.')
        merged = dict(existing)
        for tag in tag_list:
            key = tag.get("Key") if isinstance(tag, dict) else None
            value = tag.get("Value") if isinstance(tag, dict) else None
            if not isinstance(key, str) or not 1 <= len(key) <= 128:
                raise tag_error(f"Tag key {key!r} must be 1 to 128 characters.")
            if key.lower().startswith("aws:"):
                raise tag_error(f"Tag key {key!r} uses the reserved prefix aws:.")
            if not isinstance(value, str) or len(value) > 256:
                raise tag_error(f"Tag {key!r} needs a Value of at most 256 characters.")
            merged[key] = value
        if len(merged) > MAX_TAGS:
            raise tag_error(f"A resource can have at most {MAX_TAGS} tags; this would make {len(merged)}.")
        return merged

    def tag_resource(self, resource_id, tag_list) -> None:
        resource = self.tagged(resource_id)
        if not tag_list:
            raise tag_error("TagList is required: pass 1 to 50 tags.")
        resource.tags = self.checked_tags(resource.tags, tag_list)

    def untag_resource(self, resource_id, tag_keys) -> None:
        resource = self.tagged(resource_id)
        if not isinstance(tag_keys, list) or not tag_keys:
            raise tag_error("TagKeyList is required: pass 1 to 50 tag keys.")
        for key in tag_keys:
            resource.tags.pop(key, None)

    def list_tags_page(self, resource_id, next_token, max_results):
        resource = self.tagged(resource_id)
        tags = [{"Key": k, "Value": v} for k, v in sorted(resource.tags.items())]
        return self.page(tags, next_token, max_results, 100)

    # -- shared helpers ------------------------------------------------------------

    def checked_filters(self, filters, known) -> dict:
        if filters is None:
            return {}
        if not isinstance(filters, dict):
            raise invalid("Filters must map a filter name to a list of values.")
        for key, values in filters.items():
            if key not in known:
                raise invalid(f"Unknown filter {key!r}; the filters are {', '.join(known)}.")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise invalid(f"Filter {key!r} must be a list of strings.")
        return filters

    def page(self, items: list, next_token, max_results, limit: int):
        if max_results is None:
            size = limit
        elif isinstance(max_results, int) and not isinstance(max_results, bool) and 1 <= max_results <= limit:
            size = max_results
        else:
            raise invalid(f"MaxResults must be a number from 1 to {limit}, got {max_results!r}.")
        start = 0
        if next_token:
            try:
                start = int(base64.urlsafe_b64decode(next_token.encode()).decode().removeprefix("offset:"))
            except (ValueError, UnicodeDecodeError):
                raise invalid("NextToken is not one this API returned.") from None
        end = start + size
        token = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
        return items[start:end], token
