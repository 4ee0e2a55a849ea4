"""Rewrite the configuration table in README.md from `.env.example` (run after adding a setting)."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

from config_table import main as print_table  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def main() -> None:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        print_table()
    readme = ROOT / "README.md"
    text = readme.read_text()
    block = f"{START}\n{buffer.getvalue()}{END}"
    readme.write_text(re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S))


if __name__ == "__main__":
    main()
