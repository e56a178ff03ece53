"""The admin response API the SIEM dashboard calls (docs/INTERFACES.md, "Dashboard -> MLM app")."""
