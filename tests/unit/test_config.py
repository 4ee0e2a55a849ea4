import base64
import os

import pytest
from pydantic import ValidationError

from backend.core.config import Settings, async_url, libpq_url, with_user


def test_production_refuses_missing_master_key() -> None:
    with pytest.raises(ValidationError, match="MASTER_KEY"):
        Settings(environment="production", master_key=None)


def test_production_refuses_weak_master_key() -> None:
    short = base64.b64encode(b"too-short").decode()
    with pytest.raises(ValidationError, match="MASTER_KEY"):
        Settings(environment="production", master_key=short)
    with pytest.raises(ValidationError):
        Settings(environment="production", master_key="changeme")


def test_production_accepts_strong_master_key() -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    settings = Settings(environment="production", master_key=key)
    assert len(settings.master_key_bytes()) == 32


def test_development_generates_and_keeps_a_master_key(tmp_path) -> None:
    settings = Settings(environment="development", data_dir=tmp_path, master_key=None)
    first = settings.master_key_bytes()
    assert len(first) == 32
    assert (tmp_path / "master.key").stat().st_mode & 0o077 == 0, "key file must be private"
    assert Settings(environment="development", data_dir=tmp_path).master_key_bytes() == first


def test_app_url_swaps_the_user_and_keeps_the_socket_host() -> None:
    url = "postgresql://postgres:@/postgres?host=/srv/data/pg"
    assert with_user(url, "obelisk_app", None) == "postgresql://obelisk_app@/postgres?host=/srv/data/pg"
    tcp = "postgresql://owner:secret@db.internal:5433/obelisk"
    assert with_user(tcp, "obelisk_app", "p@ss") == "postgresql://obelisk_app:p%40ss@db.internal:5433/obelisk"


def test_explicit_app_url_wins() -> None:
    settings = Settings(database_url="postgresql://a@h/db", database_app_url="postgresql://b@h/db")
    assert settings.app_database_url() == "postgresql://b@h/db"
    assert Settings(database_url="postgresql://a@h/db").app_database_url() == "postgresql://obelisk_app@h/db"


def test_url_driver_conversions() -> None:
    assert async_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert async_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert libpq_url("postgresql+psycopg://u@h/d") == "postgresql://u@h/d"
