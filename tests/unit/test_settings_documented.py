"""Every setting is documented in .env.example and in the README's configuration table."""

from pathlib import Path

from backend.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _names() -> list[str]:
    return [name.upper() for name in Settings.model_fields]


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    missing = [n for n in _names() if f"\n{n}=" not in text]
    assert not missing, f".env.example lacks: {missing}"


def test_readme_configuration_table_lists_every_setting() -> None:
    text = (ROOT / "README.md").read_text()
    missing = [n for n in _names() if f"`{n}`" not in text]
    assert not missing, f"README configuration table lacks: {missing}"
