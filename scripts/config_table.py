"""Print the README's configuration table from `.env.example` (the comment lines above a variable describe it)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rows() -> list[tuple[str, str, str, str]]:
    section, notes, out = "", [], []
    for line in (ROOT / ".env.example").read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("# ---"):
            section, notes = stripped.strip("# -").strip(), []
        elif stripped.startswith("#"):
            notes.append(stripped.lstrip("# "))
        elif "=" in stripped:
            name, default = stripped.split("=", 1)
            out.append((section, name, default or "(empty)", " ".join(notes).replace("|", "\\|")))
            notes = []
        else:
            notes = []
    return out


def main() -> None:
    sys.stdout.write("| Setting | Default | What it does |\n|---|---|---|\n")
    current = None
    for section, name, default, note in rows():
        if section != current:
            sys.stdout.write(f"| **{section}** | | |\n")
            current = section
        sys.stdout.write(f"| `{name}` | `{default}` | {note} |\n")


if __name__ == "__main__":
    main()
