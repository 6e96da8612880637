"""The one place where a failed delivery is judged: every answer and every exception a
channel can meet becomes a DeliveryError that says whether to try again (and not before
when), whether the server refused the digest, or whether the configuration is wrong.

Two things decide what the outbox does next, beside the kind:
- `retry_after`: the server asked us to wait (HTTP `Retry-After`, in seconds or as an
  HTTP-date); chipwatch parses it itself and caps it, and never sleeps inside a send;
- `maybe_delivered`: the request went out whole and no answer came (a timeout, a connection
  dropped after an SMTP DATA or a webhook POST, a reply cut short). The server may have
  accepted the digest, so it is not sent again before the outbox's lease has passed: at
  most one duplicate, never a burst of them.
"""

from __future__ import annotations

import errno
import http.client
import math
import smtplib
import socket
import ssl
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.error import URLError

from .errors import CONFIG, PERMANENT, TRANSIENT, DeliveryError

# However long a server asks us to wait, the next attempt comes within this.
RETRY_AFTER_CAP = timedelta(hours=1)

# Slack's documented webhook errors that trying again will not change, with what to do.
SLACK_ERRORS = {
    "no_service": "the webhook no longer exists (revoked, or the app was removed); "
                  "create a new one and put its URL in the environment variable",
    "no_service_id": "the webhook URL is incomplete",
    "no_team": "the Slack workspace is gone or the webhook URL is wrong",
    "team_disabled": "the Slack workspace is disabled",
    "channel_not_found": "the webhook's channel no longer exists",
    "channel_is_archived": "the webhook's channel is archived",
    "action_prohibited": "an admin has restricted posting to the webhook's channel",
    "posting_to_general_channel_denied": "only admins may post to the webhook's channel",
    "invalid_token": "the webhook's token is no longer valid",
    "invalid_payload": "Slack refused the message as malformed",
    "invalid_blocks": "Slack refused the message's blocks",
    "too_many_attachments": "Slack refused the message as too large",
}


def retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """`Retry-After` as a wait: delta-seconds (a fraction is rounded up) or an HTTP-date
    (RFC 9110, any of its three formats), capped at RETRY_AFTER_CAP; a date already past is
    no wait; None when the header is absent or means nothing."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        if not math.isfinite(seconds) or seconds < 0:
            return None
        return min(timedelta(seconds=math.ceil(seconds)), RETRY_AFTER_CAP)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime dates carry no zone: HTTP dates are in GMT
        when = when.replace(tzinfo=timezone.utc)
    wait = when - (now or datetime.now(timezone.utc))
    return min(max(wait, timedelta(0)), RETRY_AFTER_CAP)


def _header(headers, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return None


def slack_answer(status: int, body: str, headers, where: str) -> DeliveryError:
    """What a webhook answer other than `200 ok` means."""
    body = " ".join((body or "").split())[:300]
    said = f"{where}: Slack answered {status}" + (f" {body}" if body else "")
    if status == 200:
        # Slack says "ok" and nothing else; anything else came from something in between.
        return DeliveryError(TRANSIENT, f"{said} instead of 'ok' (a proxy or portal in "
                                        f"between?); not delivered")
    if status == 429 or status == 408 or status >= 500:
        wait = retry_after(_header(headers, "Retry-After"))
        error = DeliveryError(TRANSIENT, said, retry_after=wait)
        return error
    if 300 <= status < 400:
        location = _header(headers, "Location")
        to = f" to {location}" if location else " without saying where"
        return DeliveryError(CONFIG, f"{where}: the webhook URL redirects (HTTP {status}"
                                     f"{to}); Slack webhooks never do: check the URL in the "
                                     f"environment variable")
    if status == 413:
        return DeliveryError(PERMANENT, f"{said} (the message is too large; lower "
                                        f"[alerts.slack] max_bytes)")
    hint = SLACK_ERRORS.get(body)
    return DeliveryError(PERMANENT, said + (f" ({hint})" if hint else ""))


def webhook_answer(status: int, body: str, headers, where: str) -> DeliveryError:
    """What an answer other than 2xx to a generic webhook's POST means."""
    body = " ".join((body or "").split())[:300]
    said = f"{where}: the receiver answered {status}" + (f" {body}" if body else "")
    if status == 429 or status == 408 or status >= 500:
        return DeliveryError(TRANSIENT, said, retry_after=retry_after(_header(headers,
                                                                              "Retry-After")))
    if 300 <= status < 400:
        location = _header(headers, "Location")
        to = f" to {location}" if location else ""
        return DeliveryError(CONFIG, f"{where}: the address redirects (HTTP {status}{to}); "
                                     f"a POST is not followed: put the final address in "
                                     f"url or url_env")
    if status in (401, 403):
        return DeliveryError(CONFIG, f"{said} (the receiver refused the request: check that "
                                     f"it verifies with the same secret as secret_env)")
    if status == 413:
        return DeliveryError(PERMANENT, f"{said} (the body is too large for the receiver; "
                                        f"lower the channel's max_bytes)")
    return DeliveryError(PERMANENT, said)


def slack_exception(exc: BaseException, where: str, service: str = "Slack") -> DeliveryError:
    """An exception out of a webhook POST (Slack's, or a generic webhook's). urllib wraps
    what fails while connecting and sending in URLError: that message never arrived.
    Anything later (no answer within the timeout, a connection reset, a reply cut short or
    unreadable) leaves it unknown."""
    if isinstance(exc, URLError):
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            return DeliveryError(CONFIG, f"{where}: the server's certificate is not trusted "
                                         f"({reason.verify_message})")
        if isinstance(reason, (TimeoutError, socket.timeout)):
            reason = "no connection within the timeout"
        return DeliveryError(TRANSIENT, f"cannot reach {service}: {_reason(reason)}")
    if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):
        # http.client refuses a URL with spaces or control characters before sending.
        return DeliveryError(CONFIG, f"{where}: the webhook URL cannot be used ("
                                     f"{type(exc).__name__}); check the environment variable")
    return DeliveryError(TRANSIENT, f"{where}: {_after_sending(exc)}", maybe_delivered=True)


def smtp_exception(exc: BaseException, where: str, *, username: str = "",
                   reached_data: bool = False) -> DeliveryError:
    """An exception out of an SMTP session; `reached_data` once the message was being
    handed over (after it, silence or a dropped connection leaves the outcome unknown)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(CONFIG, f"{where} refused the login of {username!r}: "
                                     f"{exc.smtp_code} {reply_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {reply_text(err)}"
                           for rcpt, (code, err) in exc.recipients.items())
        if codes and all(400 <= code < 500 for code in codes):
            return DeliveryError(TRANSIENT, f"{where} deferred every recipient: {detail}")
        return DeliveryError(CONFIG, f"{where} refused every recipient ([alerts.email] to): "
                                     f"{detail}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        if 400 <= exc.smtp_code < 500:
            return DeliveryError(TRANSIENT, f"{where} deferred the sender: {exc.smtp_code} "
                                            f"{reply_text(exc.smtp_error)}")
        return DeliveryError(CONFIG, f"{where} refused the sender {exc.sender!r} ([alerts.email] "
                                     f"from): {exc.smtp_code} {reply_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(CONFIG, f"{where}: {exc}; check [alerts.email] security "
                                     f"(starttls, ssl or none)")
    if isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, reply_text(exc.smtp_error)
        if code < 200:  # the reply could not even be read as an SMTP code
            return DeliveryError(CONFIG, f"{where} does not answer like an SMTP server "
                                         f"({text[:100]!r}); check [alerts.email] smtp_host, "
                                         f"smtp_port and security")
        said = f"{where} answered {code} {text}"
        if 400 <= code < 500:
            return DeliveryError(TRANSIENT, said)
        if code == 552 or code == 523:
            said += " (the message is too large for this server; lower [alerts.email] max_bytes)"
        return DeliveryError(PERMANENT, said)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(CONFIG, f"{where}: the server's certificate is not trusted "
                                     f"({exc.verify_message}); set [alerts.email] ca_file "
                                     f"or fix the server's certificate")
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(CONFIG, f"{where}: TLS failed ({exc.reason}); check [alerts.email] "
                                     f"security and smtp_port")
    if reached_data and isinstance(exc, (OSError, smtplib.SMTPException)):
        return DeliveryError(TRANSIENT, f"{where}: {_after_sending(exc)}", maybe_delivered=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(TRANSIENT, f"{where} closed the connection: {exc}")
    if isinstance(exc, OSError):
        reason = "no answer within the timeout" if isinstance(exc, TimeoutError) else _reason(exc)
        return DeliveryError(TRANSIENT, f"cannot reach {where}: {reason}")
    return unexpected(exc, where)


def file_exception(exc: OSError, directory) -> DeliveryError:
    """Writing the file channel's files."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DeliveryError(TRANSIENT, f"cannot write digests to {directory}: {reason}; "
                                        f"free some space there")
    return DeliveryError(CONFIG, f"cannot write digests to {directory}: {reason}; check "
                                 f"[alerts.file] directory")


def unexpected(exc: BaseException, where: str) -> DeliveryError:
    """Anything no rule above foresaw. The send may have got through, so it waits out the
    lease like an unanswered one, and it counts toward the attempt limit."""
    text = " ".join(str(exc).split())[:200]
    name = type(exc).__name__
    return DeliveryError(TRANSIENT, f"{where}: unexpected {name}" + (f": {text}" if text else ""),
                         maybe_delivered=True)


def _after_sending(exc: BaseException) -> str:
    if isinstance(exc, (TimeoutError, socket.timeout)) or str(exc).endswith("timed out"):
        what = "no answer within the timeout"  # smtplib words a timeout as a disconnection
    elif isinstance(exc, http.client.IncompleteRead):
        what = "the answer was cut short"
    elif isinstance(exc, (http.client.RemoteDisconnected, ConnectionError,
                          smtplib.SMTPServerDisconnected)):
        what = "the connection was closed before an answer"
    elif isinstance(exc, http.client.HTTPException):
        what = f"the answer could not be read ({type(exc).__name__})"
    elif isinstance(exc, UnicodeError):
        what = "the answer could not be decoded"
    else:
        what = _reason(exc)
    return f"{what}, after the digest was sent; it may have arrived"


def _reason(exc) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def reply_text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
