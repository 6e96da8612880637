"""Slack delivery through an incoming webhook (slack-sdk). A message counts as delivered
only on `200 ok`; 429 is retried by slack-sdk after its Retry-After; the digest's messages
go in order, and a retry starts from the first message Slack has not accepted."""

from __future__ import annotations

from typing import Callable
from urllib.error import URLError

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from .errors import CONFIG, PERMANENT, TRANSIENT, DeliveryError
from .settings import SlackChannel

# Answers that will not change by trying again (Slack's documented webhook errors).
PERMANENT_ERRORS = {
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


def webhook_url(channel: SlackChannel) -> str:
    url = channel.secret_value()
    if not url:
        raise DeliveryError(CONFIG, f"the environment variable {channel.webhook_url_env} "
                                    f"([alerts.slack] webhook_url_env) is not set")
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(CONFIG, f"the environment variable {channel.webhook_url_env} "
                                    f"does not hold a URL")
    return url


def send_slack(channel: SlackChannel, messages: list[dict], *, start: int = 0,
               on_sent: Callable[[int], None] | None = None) -> str:
    """Post messages[start:] in order; after each accepted one call on_sent(count)."""
    client = WebhookClient(webhook_url(channel), timeout=int(max(channel.timeout, 1)),
                           retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1),
                                           RateLimitErrorRetryHandler(max_retry_count=2)])
    for number in range(start, len(messages)):
        message = messages[number]
        try:
            response = client.send(text=message["text"], blocks=message["blocks"],
                                   unfurl_links=False, unfurl_media=False)
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise DeliveryError(TRANSIENT, f"cannot reach Slack: {reason}") from None
        body = (response.body or "").strip()
        if response.status_code == 200 and body == "ok":
            if on_sent:
                on_sent(number + 1)
            continue
        where = f"message {number + 1} of {len(messages)}: Slack answered {response.status_code}"
        if response.status_code == 429 or response.status_code >= 500:
            raise DeliveryError(TRANSIENT, f"{where} {body}".strip())
        hint = PERMANENT_ERRORS.get(body)
        raise DeliveryError(PERMANENT, f"{where} {body}" + (f" ({hint})" if hint else ""))
    return ""
