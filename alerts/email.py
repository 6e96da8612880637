"""Email delivery with the standard library: one multipart (text + HTML) message per digest,
with the Message-ID chosen when the digest was made, so a repeated send is recognisable."""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .errors import CONFIG, PERMANENT, TRANSIENT, DeliveryError
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


def _by_code(code: int, what: str) -> DeliveryError:
    return DeliveryError(TRANSIENT if 400 <= code < 500 else PERMANENT, what)


def send_email(channel: EmailChannel, payload: dict) -> str:
    """Send one digest; return a note ('' or the recipients that were refused) or raise
    DeliveryError saying whether to retry."""
    password = _password(channel)
    message = build_message(channel, payload)
    where = f"{channel.smtp_host}:{channel.port}"
    try:
        if channel.security == "ssl":
            smtp = smtplib.SMTP_SSL(channel.smtp_host, channel.port, timeout=channel.timeout,
                                    context=_context(channel))
        else:
            smtp = smtplib.SMTP(channel.smtp_host, channel.port, timeout=channel.timeout)
        with smtp:
            if channel.security == "starttls":
                smtp.starttls(context=_context(channel))
            if channel.username:
                smtp.login(channel.username, password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(CONFIG, f"{where} refused the login of {channel.username!r}: "
                                    f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {_text(err)}"
                           for rcpt, (code, err) in exc.recipients.items())
        if all(400 <= code < 500 for code in codes):
            raise DeliveryError(TRANSIENT, f"{where} deferred every recipient: {detail}") from None
        raise DeliveryError(CONFIG, f"{where} refused every recipient ([alerts.email] to): "
                                    f"{detail}") from None
    except smtplib.SMTPSenderRefused as exc:
        if 400 <= exc.smtp_code < 500:
            raise DeliveryError(TRANSIENT, f"{where} deferred the sender: {exc.smtp_code} "
                                           f"{_text(exc.smtp_error)}") from None
        raise DeliveryError(CONFIG, f"{where} refused the sender {exc.sender!r} ([alerts.email] "
                                    f"from): {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(CONFIG, f"{where}: {exc}; check [alerts.email] security "
                                    f"(starttls, ssl or none)") from None
    except smtplib.SMTPResponseException as exc:
        raise _by_code(exc.smtp_code, f"{where} answered {exc.smtp_code} "
                                      f"{_text(exc.smtp_error)}") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise DeliveryError(TRANSIENT, f"{where} closed the connection: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(CONFIG, f"{where}: the server's certificate is not trusted "
                                    f"({exc.verify_message}); set [alerts.email] ca_file "
                                    f"or fix the server's certificate") from None
    except ssl.SSLError as exc:
        raise DeliveryError(CONFIG, f"{where}: TLS failed ({exc.reason}); check [alerts.email] "
                                    f"security and smtp_port") from None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise DeliveryError(TRANSIENT, f"cannot reach {where}: {reason}") from None
    if refused:
        return "refused recipients: " + "; ".join(
            f"{rcpt}: {code} {_text(err)}" for rcpt, (code, err) in refused.items())
    return ""


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
