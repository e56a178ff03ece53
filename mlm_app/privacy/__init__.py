"""Privacy: export a user's personal data, erase on request (ledgers kept, pseudonymized)."""
