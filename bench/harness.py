"""What the benches share: a throwaway data directory and environment set before the platform is imported, a
log line, a percentile, the load average, and an embedded PostgreSQL with every migration applied.

A bench calls `sandbox()` first, before any `backend` import: the platform reads its settings once, and a
bench must never reach the developer's own database, Redis or models directory.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Settings a bench never inherits from the shell: it brings its own database and runs without Redis unless it
# starts one on purpose.
_INHERITED = ("DATABASE_URL", "DATABASE_APP_URL", "REDIS_URL")


def sandbox(
    name: str, settings: dict[str, str], *, defaults: dict[str, str] | None = None, drop: Sequence[str] = ()
) -> Path:
    """A temporary directory (removed at exit) holding the bench's data, and the environment the platform will
    read: quiet logs, no model warm-up, no in-app worker, then `settings` (which win) and `defaults` (which the
    shell may override). `drop` names more settings not to inherit. Returns the directory."""
    tmp = Path(tempfile.mkdtemp(prefix=f"obelisk-bench-{name}-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    for key, value in (defaults or {}).items():
        os.environ.setdefault(key, value)
    os.environ.update(
        {
            "DATA_DIR": str(tmp / "data"),
            "LOG_LEVEL": "WARNING",
            "WARM_MODELS_ON_START": "false",
            "RUN_WORKER_IN_APP": "false",
            **settings,
        }
    )
    for key in (*_INHERITED, *drop):
        os.environ.pop(key, None)
    for path in (ROOT / "bench", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    return tmp


def migrated_database(data_dir: Path) -> str:
    """Start an embedded PostgreSQL in `data_dir` (deleted at exit), make it the platform's database and apply
    every migration. Returns the owner's URL."""
    from backend.cli import run_migrations
    from backend.core.config import get_settings
    from backend.core.embedded_pg import embedded_url

    url = embedded_url(data_dir, cleanup_mode="delete")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    run_migrations(url)
    return url


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0 to 1) by nearest rank; nan for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages ("n/a" where the system has none)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"
