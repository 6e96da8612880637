"""Reminders before a deadline: a channel with `remind_days` set gets one message for each
deadline that falls within that many days (its filter applied), once per deadline and channel,
through the outbox like every digest (so a server that is down delays it, never loses it)."""

from __future__ import annotations

from datetime import datetime
from html import escape as html_escape

from sqlite_utils import Database

from store import outbox

from .clock import in_quiet_hours, quiet_end, stamp
from .deadlines import DeadlineEntry, upcoming
from .email import new_message_id
from .settings import (
    AlertConfig,
    ChannelBase,
    EmailChannel,
    FileChannel,
    SlackChannel,
    WebhookChannel,
)
from .slack import escape as slack_escape
from .webhook import notice_body

KIND = "reminder"


def reminder_id(channel: str, item: DeadlineEntry) -> str:
    """One per deadline and channel: a second look at the same deadline finds this id."""
    return f"{channel}:{KIND}:{item.document_id}:{item.kind}:{item.date}"


def queue_reminders(config: AlertConfig, db: Database, now: datetime) -> list[str]:
    """Queue a reminder for every deadline due within each channel's `remind_days` that has
    none yet; returns the outbox ids made. Reminders found in quiet hours wait for their
    end."""
    made = []
    for name, channel in config.channels().items():
        if not channel.remind_days:
            continue
        wanted = channel.wanted(config.categories)
        today = now.astimezone(channel.zone).date()
        for item in upcoming(db, channel, wanted, today, channel.remind_days):
            digest_id = reminder_id(name, item)
            if outbox.exists(db, digest_id):
                continue
            later = quiet_end(channel, now) if in_quiet_hours(channel, now) else now
            if outbox.create_digest(db, digest_id=digest_id, channel=name, kind=KIND,
                                    period=item.date, document_ids=[],
                                    payload=payload(digest_id, channel, item),
                                    next_attempt=stamp(later), now=stamp(now)):
                made.append(digest_id)
    return made


def title(item: DeadlineEntry) -> str:
    return f"chipwatch reminder: {item.what} {item.when} ({item.date})"


def payload(digest_id: str, channel: ChannelBase, item: DeadlineEntry) -> dict:
    """What each kind of channel sends for one reminder."""
    heading = title(item)
    lines = [heading, "", item.title, item.url, "", f"Deadline: {item.what} on {item.date} "
             f"({item.when}).", f"From: {item.text}"]
    body = {"title": heading, "text": "\n".join(lines) + "\n"}
    if isinstance(channel, (EmailChannel, FileChannel)):
        link = (f'<a href="{html_escape(item.url)}">{html_escape(item.title)}</a>'
                if item.url.lower().startswith(("https://", "http://"))
                else html_escape(item.title))
        body["html"] = (f"<!doctype html><html><body><h1>{html_escape(heading)}</h1>"
                        f"<p>{link}</p><p>Deadline: {html_escape(item.what)} on "
                        f"<strong>{item.date}</strong> ({html_escape(item.when)}).</p>"
                        f"<p style=\"color:#57606a;\">From: {html_escape(item.text)}</p>"
                        f"</body></html>")
    if isinstance(channel, EmailChannel):
        body["subject"] = f"[{channel.subject_prefix}] {heading}: {item.title}"[:250]
        body["message_id"] = new_message_id(digest_id, channel.sender)
    if isinstance(channel, SlackChannel):
        name = slack_escape(item.title[:300])
        link = (f"<{slack_escape(item.url).replace('|', '%7C')}|{name}>"
                if item.url.lower().startswith(("https://", "http://")) else name)
        text = (f":calendar: *{slack_escape(heading)}*\n{link}\n"
                f"{slack_escape(f'From: {item.text}')}")[:3000]
        body["slack"] = [{"text": slack_escape(f"{heading}: {item.title}"),
                          "blocks": [{"type": "section",
                                      "text": {"type": "mrkdwn", "text": text}}]}]
    if isinstance(channel, WebhookChannel):
        body["webhook"] = notice_body(
            digest_id, digest_id.split(":", 1)[0], "reminder", heading, body["text"],
            deadline={"date": item.date, "kind": item.kind, "what": item.what,
                      "document_id": item.document_id, "title": item.title, "url": item.url,
                      "source": item.source})
    return body
