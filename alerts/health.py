"""A one-off alert when a source breaks, goes stale, or recovers; sent through the outbox."""

from __future__ import annotations

import html
from datetime import datetime

from sqlite_utils import Database

from store import outbox

from .clock import stamp
from .email import new_message_id
from .settings import (
    AlertConfig,
    ChannelBase,
    EmailChannel,
    FileChannel,
    SlackChannel,
    WebhookChannel,
)
from .slack import escape
from .webhook import notice_body


def payload(digest_id: str, channel: ChannelBase, title: str, message: str) -> dict:
    body = {"title": title, "text": f"{title}\n\n{message}\n"}
    if isinstance(channel, (EmailChannel, FileChannel)):
        body["html"] = (f"<!doctype html><html><body><h1>{html.escape(title)}</h1>"
                        f"<p>{html.escape(message)}</p></body></html>")
    if isinstance(channel, EmailChannel):
        body["subject"] = f"[{channel.subject_prefix}] {title}"
        body["message_id"] = new_message_id(digest_id, channel.sender)
    if isinstance(channel, SlackChannel):
        body["slack"] = [{"text": f"{title}: {message}", "blocks": [
            {"type": "section", "text": {"type": "mrkdwn",
                                         "text": f"*{escape(title)}*\n{escape(message)}"[:3000]}}]}]
    if isinstance(channel, WebhookChannel):
        body["webhook"] = notice_body(digest_id, digest_id.split(":", 1)[0], "health", title,
                                      message)
    return body


def queue_health_alert(config: AlertConfig, db: Database, source: str, health: str, message: str,
                       now: datetime) -> list[str]:
    """Queue the alert on every enabled channel; returns the outbox ids made."""
    title = f"chipwatch: {source} is {health}" if health in ("broken", "stale") \
        else f"chipwatch: {source} has recovered"
    made = []
    for name, channel in config.channels().items():
        digest_id = f"{name}:health:{source}:{health}:{stamp(now)}"
        if outbox.create_digest(db, digest_id=digest_id, channel=name, kind="health",
                                period=stamp(now), document_ids=[],
                                payload=payload(digest_id, channel, title, message),
                                now=stamp(now)):
            made.append(digest_id)
    return made
