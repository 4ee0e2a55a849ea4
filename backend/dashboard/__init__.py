"""Read-only aggregates: the platform's health (for /api/v1/health and the /status page), later the landing page."""
