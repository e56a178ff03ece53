"""The user's security center: sessions and devices, sign-in history, MFA, security reports."""
