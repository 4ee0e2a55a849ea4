"""Agent runs: a persisted, gap-free event log per run, live fan-out, replay, stop, and recovery."""
