"""Security building blocks: passwords, PII crypto, CSRF, headers, rate limits, proxies."""
