"""Staff administration of accounts: search, lock/unlock, roles, MFA reset, audited PII unmasking."""
