"""Session-wide fixtures for real services (PostgreSQL, Elasticsearch and Kafka stand-ins).

Owned by the storage/transport work; loaded for every test package through tests/conftest.py.
"""
