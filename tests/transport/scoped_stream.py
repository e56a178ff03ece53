"""A mixed attack stream for the detector-scope tests: which alerts need a global view, and where
kafka-python's partitioner sends each entity."""

from __future__ import annotations

from builders import make_event_dict

BRUTE = "3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0102"  # mlm_brute_force_user: by user.id, entity-local
MFA_BRUTE = "3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0302"  # mlm_mfa_brute_force: by user.id, entity-local
STUFFING = "mlm-ato-credential-stuffing"  # service-wide, global
PARTITIONS = 3  # the kafka_bus fixture's partition count


def partition_of(key: bytes, partitions: int = PARTITIONS) -> int:
    """The partition kafka-python's default partitioner picks for a key (murmur2)."""
    from kafka.partitioner.default import murmur2

    return (murmur2(key) & 0x7FFFFFFF) % partitions


def entity_key(event: dict) -> bytes:
    """The collector's key (collector/publish.py): user.id, else source.ip."""
    return str(event.get("user", {}).get("id") or event["source"]["ip"]).encode()


def stuffing_users(tag: str, per_partition: int = 6) -> list[str]:
    """User ids spread evenly over the partitions, so no member of two holds most of them."""
    chosen: dict[int, list[str]] = {p: [] for p in range(PARTITIONS)}
    for i in range(1000):
        uid = f"{tag}-u{i}"
        bucket = chosen[partition_of(uid.encode())]
        if len(bucket) < per_partition:
            bucket.append(uid)
    return [u for p in range(PARTITIONS) for u in chosen[p]]


def attack_stream(tag: str) -> list[dict]:
    """A per-user password brute force, an MFA brute force, then credential stuffing: 18 users,
    one failure each, from 9 networks (over 3 balanced partitions), all in event-time order."""
    victim, mfa_victim = f"amy-{tag}", f"bob-{tag}"
    events = [make_event_dict(i * 7, event__outcome="failure", user__name=victim, user__id=f"id-{victim}",
                              source__ip=f"198.51.100.{i % 4 + 1}", mlm__auth__failure_reason="bad_password")
              for i in range(12)]
    events += [make_event_dict(200 + i * 10, event__action="mfa_verify", event__outcome="failure",
                               user__name=mfa_victim, user__id=f"id-{mfa_victim}", source__ip="192.0.2.44")
               for i in range(6)]
    events += [make_event_dict(1000 + i * 5, event__outcome="failure", user__name=f"name-{uid}", user__id=uid,
                               source__ip=f"203.0.{i % 9 + 1}.7", mlm__auth__failure_reason="bad_password")
               for i, uid in enumerate(stuffing_users(tag))]
    return events
