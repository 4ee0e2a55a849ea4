"""A real Obelisk process for the multi-process tests: `python -m tests.support.app_process PORT`.

It serves the whole ASGI app (Reflex with the API mounted; the frontend is not compiled) with uvicorn on
127.0.0.1:PORT and runs the platform's lifespan, so with RUN_WORKER_IN_APP=true it is a web process and a
job worker at once, like `make run`. Everything comes from the environment the test gives it (DATABASE_URL,
REDIS_URL, DATA_DIR...). With TEST_TOKEN_PAUSE set, runs are answered by the scripted models of the runs
tests, streaming one word every TEST_TOKEN_PAUSE seconds; without it, by the configured models (the browser
tier's fake chat provider, FAKE_CHAT_STREAM_PAUSE_SECONDS), like the browser tier's own app.
"""

from __future__ import annotations

import os
import sys
from typing import Any

ANSWER_WORDS = 400


def _scripted_turns(pause: float) -> None:
    from backend.agents import runner
    from backend.runs import executor
    from tests.db.test_runs_support import slow_chat, turn_options

    answer = " ".join(f"word{i}" for i in range(ANSWER_WORDS)) + " [S1]."

    async def scripted_turn(ctx: Any, conversation_id: Any, message: str, **options: Any) -> Any:
        return await runner.run_turn(
            ctx, conversation_id, message, **options, **turn_options(ctx.scope, slow_chat([answer], pause=pause))
        )

    executor.run_turn = scripted_turn  # type: ignore[assignment]


def main() -> None:
    import uvicorn

    port = int(sys.argv[1])
    if os.environ.get("TEST_TOKEN_PAUSE"):
        _scripted_turns(float(os.environ["TEST_TOKEN_PAUSE"]))
    os.environ["__REFLEX_SKIP_COMPILE"] = "true"
    from obelisk_app.obelisk_app import app

    uvicorn.run(app(), host="127.0.0.1", port=port, lifespan="on", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
