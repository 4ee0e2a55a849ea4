"""A fake SMTP server with STARTTLS on 127.0.0.1, for the mail the app sends (invitations, address checks).

It speaks just enough SMTP to take messages over a TLS connection whose certificate is made here;
`mail_server` points the app's SMTP settings at it and trusts that certificate, as a deployment would
with `SMTP_CA_FILE`. What arrived is in `messages` (raw RFC 5322 text), newest last.
"""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def certificate(tmp: Path) -> tuple[Path, Path]:
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

    def parsed(self) -> list[Message]:
        """The messages as parsed email, oldest first."""
        return [email.message_from_string(raw) for raw in self.messages]

    def links_to(self, address: str) -> list[str]:
        """Every URL mailed to `address`, oldest first."""
        found: list[str] = []
        for message in self.parsed():
            if address in str(message["To"]):
                payload = message.get_payload(decode=True)
                text = payload.decode() if isinstance(payload, bytes) else str(payload)
                found += re.findall(r"https?://\S+", text)
        return found


@contextmanager
def mail_server(tmp: Path, settings: Any, monkeypatch: Any, *, trusted: bool = True) -> Iterator[SmtpServer]:
    """An SMTP server the app's settings point at (its certificate trusted unless `trusted=False`)."""
    cert, key = certificate(tmp)
    smtp = SmtpServer(cert, key)
    monkeypatch.setattr(settings, "smtp_host", "localhost")
    monkeypatch.setattr(settings, "smtp_port", smtp.port)
    if trusted:
        monkeypatch.setattr(settings, "smtp_ca_file", str(cert))
    try:
        yield smtp
    finally:
        smtp.close()
