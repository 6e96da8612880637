"""Email delivery with the standard library: one multipart (text + HTML) message per digest,
with the Message-ID chosen when the digest was made, so a repeated send is recognisable.
What each failure means is decided in alerts/failures.py."""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from . import failures
from .errors import CONFIG, DeliveryError
from .settings import EmailChannel


def new_message_id(digest_id: str, sender: str) -> str:
    domain = sender.rpartition("@")[2].strip(" >") or "chipwatch.invalid"
    return make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]+", ".", digest_id), domain=domain)


def build_message(channel: EmailChannel, payload: dict) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = payload["subject"]
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = payload["message_id"]
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    return message


def message_size(channel: EmailChannel, payload: dict) -> int:
    """The message's size in bytes as it goes over the wire (what servers limit)."""
    return len(build_message(channel, payload).as_bytes())


class _Handover:
    """Remembers when the message itself started to go out (the DATA command): after that,
    silence or a dropped connection leaves the outcome unknown."""

    reached_data = False

    def data(self, msg):
        self.reached_data = True
        return super().data(msg)


class _SMTP(_Handover, smtplib.SMTP):
    pass


class _SMTP_SSL(_Handover, smtplib.SMTP_SSL):
    pass


def _context(channel: EmailChannel) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(channel.ca_file) if channel.ca_file else None)


def _password(channel: EmailChannel) -> str | None:
    if not channel.password_env:
        return None
    password = channel.secret_value()
    if password is None:
        raise DeliveryError(CONFIG, f"the environment variable {channel.password_env} "
                                    f"([alerts.email] password_env) is not set")
    return password


def send_email(channel: EmailChannel, payload: dict) -> str:
    """Send one digest; return a note ('' or the recipients that were refused) or raise
    DeliveryError saying whether to retry."""
    password = _password(channel)
    message = build_message(channel, payload)
    where = f"{channel.smtp_host}:{channel.port}"
    smtp = None
    try:
        if channel.security == "ssl":
            smtp = _SMTP_SSL(channel.smtp_host, channel.port, timeout=channel.timeout,
                             context=_context(channel))
        else:
            smtp = _SMTP(channel.smtp_host, channel.port, timeout=channel.timeout)
        if channel.security == "starttls":
            smtp.starttls(context=_context(channel))
        if channel.username:
            smtp.login(channel.username, password or "")
        refused = smtp.send_message(message)
    except Exception as exc:
        reached = bool(smtp and smtp.reached_data)
        _close(smtp)
        raise failures.smtp_exception(exc, where, username=channel.username,
                                      reached_data=reached) from None
    _quit(smtp)
    if refused:
        return "refused recipients: " + "; ".join(
            f"{rcpt}: {code} {failures.reply_text(err)}" for rcpt, (code, err) in refused.items())
    return ""


def _quit(smtp: smtplib.SMTP) -> None:
    """The server has accepted the message: whatever QUIT meets, it is delivered."""
    try:
        smtp.quit()
    except Exception:
        _close(smtp)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except Exception:
            pass
