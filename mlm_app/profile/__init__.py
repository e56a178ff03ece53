"""Personal details: PII (tax id, birth date, bank account) encrypted at rest and masked on view."""
