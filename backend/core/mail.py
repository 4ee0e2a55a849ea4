"""Outgoing email over SMTP, when SMTP is configured (SMTP_HOST); otherwise nothing is sent.

Sending is best effort: a mail server that is down or refuses the message is logged and reported as `False`,
never raised, because every mail Obelisk sends (an invitation link, for now) is also shown to the person
who caused it.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage

from backend.core.config import get_settings

logger = logging.getLogger(__name__)


async def send_mail(*, to: str, subject: str, body: str) -> bool:
    """Send a plain-text email; True when the SMTP server accepted it, False when SMTP is off or failed."""
    settings = get_settings()
    if not settings.smtp_host:
        return False
    message = EmailMessage()
    message["Subject"] = subject
    message["From"], message["To"] = settings.smtp_from, to
    message.set_content(body)

    def _send() -> None:
        with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=10) as smtp:
            # A verifying context: without one, smtplib accepts any certificate and a machine in the middle
            # reads the credentials and the invitation links.
            smtp.starttls(context=ssl.create_default_context(cafile=settings.smtp_ca_file or None))
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)

    try:
        # smtplib blocks: it runs in a thread, never on the event loop.
        await asyncio.to_thread(_send)
        return True
    except (OSError, smtplib.SMTPException):
        logger.warning("email could not be sent", extra={"subject": subject}, exc_info=True)
        return False


__all__ = ["send_mail"]
