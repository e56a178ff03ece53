"""Web plumbing shared by every domain: the security middleware, templates, error handlers."""
