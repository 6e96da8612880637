"""Slack delivery through an incoming webhook (slack-sdk's WebhookClient, without its retry
handlers: the outbox does the retrying, after a wait chipwatch decides). A message counts as
delivered only on `200 ok`; the digest's messages go in order, and a retry starts from the
first message Slack has not accepted. What every other answer or exception means is decided
in alerts/failures.py."""

from __future__ import annotations

import logging
from typing import Callable
from urllib.parse import urlsplit

from slack_sdk.webhook import WebhookClient

from . import failures
from .errors import CONFIG, DeliveryError
from .settings import SlackChannel

# slack-sdk logs a failed request at ERROR level, with text that can quote the webhook
# URL (a secret); chipwatch reports failures itself, so that logger says nothing.
_quiet = logging.getLogger("chipwatch.slack_sdk")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False
_quiet.setLevel(logging.CRITICAL)


def webhook_url(channel: SlackChannel) -> str:
    """The webhook URL from its environment variable, checked without ever showing it."""
    name = channel.webhook_url_env
    url = (channel.secret_value() or "").strip()
    if not url:
        raise DeliveryError(CONFIG, f"the environment variable {name} "
                                    f"([alerts.slack] webhook_url_env) is not set")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        raise DeliveryError(CONFIG, f"the environment variable {name} does not hold an "
                                    f"http(s) URL")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise DeliveryError(CONFIG, f"the environment variable {name} holds a URL with spaces "
                                    f"or control characters; check how it is set")
    return url


def send_slack(channel: SlackChannel, messages: list[dict], *, start: int = 0,
               on_sent: Callable[[int], None] | None = None) -> str:
    """Post messages[start:] in order; after each accepted one call on_sent(count)."""
    client = WebhookClient(webhook_url(channel), timeout=int(max(channel.timeout, 1)),
                           retry_handlers=[], logger=_quiet)
    for number in range(start, len(messages)):
        message = messages[number]
        where = f"message {number + 1} of {len(messages)}"
        try:
            response = client.send(text=message["text"], blocks=message["blocks"],
                                   unfurl_links=False, unfurl_media=False)
        except Exception as exc:  # every way a POST can fail is judged in one place
            raise failures.slack_exception(exc, where) from None
        body = (response.body or "").strip()
        if response.status_code == 200 and body == "ok":
            if on_sent:
                on_sent(number + 1)
            continue
        raise failures.slack_answer(response.status_code, body, response.headers, where)
    return ""
