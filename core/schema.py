"""The event contract of ../shared/EVENTS.md as data: every known field and its type.

Validation, normalization, store mappings and the rule-file test all read this one table.
"""

from __future__ import annotations

# Field types: "keyword" (string), "text" (free text string), "ip", "date" (RFC 3339 string),
# "long" (integer), "number" (int or float), "bool", "keyword[]" (list of strings).
FIELDS: dict[str, str] = {
    "@timestamp": "date",
    "event.id": "keyword",
    "event.kind": "keyword",
    "event.dataset": "keyword",
    "event.action": "keyword",
    "event.category": "keyword[]",
    "event.type": "keyword[]",
    "event.outcome": "keyword",
    "event.duration": "long",
    "event.ingested": "date",
    "service.name": "keyword",
    "source.ip": "ip",
    "source.geo.country_iso_code": "keyword",
    "source.as.number": "long",
    "source.as.organization.name": "keyword",
    "user_agent.original": "text",
    "user.id": "keyword",
    "user.name": "keyword",
    "mlm.device.id": "keyword",
    "mlm.session.id": "keyword",
    # mlm.http
    "http.request.method": "keyword",
    "url.path": "text",
    "url.query": "text",
    "http.request.body.content": "text",
    "http.request.body.bytes": "long",
    "http.request.mime_type": "keyword",
    "http.request.referrer": "text",
    "http.response.status_code": "long",
    "http.response.body.bytes": "long",
    # mlm.auth
    "mlm.auth.failure_reason": "keyword",
    "mlm.auth.mfa_required": "bool",
    "mlm.auth.method": "keyword",
    "mlm.auth.lock_reason": "keyword",
    # mlm.audit
    "mlm.bank.fingerprint": "keyword",
    "mlm.bank.previous_fingerprint": "keyword",
    "mlm.target.id": "keyword",
    "mlm.role.previous": "keyword",  # role_changed: the role before and after (the app emits both)
    "mlm.role.current": "keyword",
    "mlm.export.records": "long",
    # security_report: a user's "report a security problem" form (docs/INTERFACES.md)
    "mlm.report.id": "keyword",
    "mlm.report.category": "keyword",
    "message": "text",
    # mlm.commerce
    "mlm.distributor.id": "keyword",
    "mlm.sponsor.id": "keyword",
    "mlm.placement.parent_id": "keyword",
    "mlm.placement.position": "keyword",
    "mlm.plan": "keyword",
    "mlm.email.domain": "keyword",
    "mlm.email.fingerprint": "keyword",
    "mlm.order.id": "keyword",
    "mlm.order.amount": "number",
    "mlm.order.currency": "keyword",
    "mlm.order.pv": "number",
    "mlm.order.bv": "number",
    "mlm.order.items": "long",
    "mlm.payment.fingerprint": "keyword",
    "mlm.commission.period": "keyword",
    "mlm.commission.amount": "number",
    "mlm.commission.type": "keyword",
    "mlm.commission.source_ids": "keyword[]",
    "mlm.rank.previous": "keyword",
    "mlm.rank.current": "keyword",
    "mlm.payout.id": "keyword",
    "mlm.payout.amount": "number",
}

DATASETS = ("mlm.http", "mlm.auth", "mlm.audit", "mlm.commerce")
OUTCOMES = ("success", "failure", "unknown")
REQUIRED = ("@timestamp", "event.id", "event.dataset", "event.action")

ACTIONS: dict[str, tuple[str, ...]] = {
    "mlm.http": ("http_request",),
    "mlm.auth": (
        "login", "mfa_verify", "logout", "session_revoked", "password_changed",
        "password_reset_requested", "password_reset_completed", "mfa_enrolled", "mfa_disabled",
        "mfa_reset", "account_locked", "account_unlocked",
    ),
    "mlm.audit": (
        "bank_account_changed", "email_changed", "phone_changed", "payout_method_changed",
        "role_changed", "sponsor_changed", "distributor_status_changed", "pii_viewed",
        "data_exported", "access_denied", "security_report",
    ),
    "mlm.commerce": (
        "distributor_enrolled", "order_placed", "order_refunded", "commission_calculated",
        "rank_changed", "payout_requested", "payout_approved", "payout_held", "payout_sent",
    ),
}

ALERT_CATEGORIES = ("account_takeover", "commission_fraud", "injection", "traffic_flood")
SEVERITIES = ("low", "medium", "high", "critical")
ENTITY_TYPES = ("user", "distributor", "ip", "session", "service")
