"""FastAPI routers at /api/v1, mounted into the Reflex app with `api_transformer`."""
