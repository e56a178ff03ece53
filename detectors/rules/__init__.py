"""The packaged Sigma rule pack (YAML files here are package data; samples/ holds their test events)."""
