"""Mail over STARTTLS verifies the server's certificate: a real SMTP conversation with a server on
127.0.0.1 whose certificate is self-signed (refused) or signed by the CA we were told to trust (sent)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from backend.core.config import get_settings
from backend.core.mail import send_mail


def _certificate(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class SmtpServer:
    """Just enough SMTP with STARTTLS to take one message; records what arrived."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.messages: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            try:
                self._session(conn)
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    def _session(self, conn: socket.socket) -> None:
        stream = conn.makefile("rwb")

        def say(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        say("220 localhost ESMTP")
        while line := stream.readline().decode().strip():
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250-localhost")
                say("250 STARTTLS")
            elif verb == "STARTTLS":
                say("220 ready")
                conn = self.context.wrap_socket(conn, server_side=True)
                stream = conn.makefile("rwb")
            elif verb == "DATA":
                say("354 go on")
                body = []
                while (data := stream.readline().decode()) not in (".\r\n", ""):
                    body.append(data)
                self.messages.append("".join(body))
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SmtpServer, Path]]:
    cert, key = _certificate(tmp_path)
    smtp = SmtpServer(cert, key)
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "localhost")
    monkeypatch.setattr(settings, "smtp_port", smtp.port)
    yield smtp, cert
    smtp.close()


async def test_a_server_with_an_untrusted_certificate_gets_no_mail(server: tuple[SmtpServer, Path]) -> None:
    smtp, _ = server
    assert await send_mail(to="bob@example.com", subject="Invitation", body="secret link") is False
    assert smtp.messages == []


async def test_a_server_with_a_trusted_certificate_gets_the_mail(
    server: tuple[SmtpServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp, cert = server
    monkeypatch.setattr(get_settings(), "smtp_ca_file", str(cert))
    assert await send_mail(to="bob@example.com", subject="Invitation", body="secret link") is True
    assert "secret link" in smtp.messages[0]
