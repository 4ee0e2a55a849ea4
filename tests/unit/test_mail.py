"""Mail over STARTTLS verifies the server's certificate: a real SMTP conversation with a server on
127.0.0.1 whose certificate is self-signed (refused) or signed by the CA we were told to trust (sent)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.core.config import get_settings
from backend.core.mail import send_mail
from tests.support.smtp import SmtpServer, mail_server


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with mail_server(tmp_path, get_settings(), monkeypatch, trusted=False) as smtp:
        yield smtp


async def test_a_server_with_an_untrusted_certificate_gets_no_mail(server: SmtpServer) -> None:
    assert await send_mail(to="bob@example.com", subject="Invitation", body="secret link") is False
    assert server.messages == []


async def test_a_server_with_a_trusted_certificate_gets_the_mail(
    server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_ca_file", str(tmp_path / "cert.pem"))
    assert await send_mail(to="bob@example.com", subject="Invitation", body="secret link") is True
    assert "secret link" in server.messages[0]
    assert server.links_to("bob@example.com") == []
