"""Settings, database, embedded PostgreSQL, cache and broker, logging, errors."""
