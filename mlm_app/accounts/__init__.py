"""Accounts: users, roles, passwords, sessions, MFA, devices and sign-in history."""
