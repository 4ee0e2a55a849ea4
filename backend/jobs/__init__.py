"""The durable job queue (procrastinate on PostgreSQL). Domains register their tasks on `job_app`."""

from backend.jobs.queue import close_jobs, job_app, on_worker_start, open_jobs, run_worker, worker_here, worker_status

__all__ = ["close_jobs", "job_app", "on_worker_start", "open_jobs", "run_worker", "worker_here", "worker_status"]
