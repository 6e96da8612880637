"""The webhook channel: one JSON body per digest (its format is docs/webhook.md), POSTed and
signed with HMAC-SHA256 of the exact body bytes under the channel's secret, in the header
`X-Chipwatch-Signature: sha256=<hex>`. The body is rendered once and kept in the outbox, so
a retry sends the same bytes with the same signature. A 2xx answer is delivered; what any
other answer or exception means is decided in alerts/failures.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlsplit

from vocab.sources import source_title

from . import failures
from .digest import Change, Digest, Entry
from .errors import CONFIG, DeliveryError
from .settings import WebhookChannel

FORMAT = 1  # the body's "chipwatch" field: raised when a field changes meaning
SIGNATURE_HEADER = "X-Chipwatch-Signature"
DIGEST_HEADER = "X-Chipwatch-Digest"
USER_AGENT = "chipwatch-webhook/1"


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the body bytes under the secret (UTF-8)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _dump(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _document(item, *, new: bool) -> dict:
    return {"id": item.document_id, "title": item.title, "url": item.url,
            "source": item.source, "source_title": source_title(item.source),
            "lang": item.lang, "published": item.published or None, "role": item.role,
            "new": new}


def _event(digest: Digest, entry: Entry, section: str) -> dict:
    return {
        "event_id": entry.event_id,
        "section": section,  # a category, or "wider"
        "title": entry.title,
        "title_other": entry.title_alt,  # the edition in the other language, if any
        "url": entry.url,
        "update": entry.update,
        "first_date": entry.first_date or None,
        "last_date": entry.date or None,
        "tags": [{"category": c, "title": digest.category_title(c)}
                 for c in [entry.category, *entry.also]],
        "relevance": entry.relevance,
        "score": entry.score,
        "evidence": ({"sentence": entry.evidence, "match": entry.match}
                     if entry.evidence else None),
        "facts": {"instruments": entry.facts.instruments, "amounts": entry.facts.amounts,
                  "rates": entry.facts.rates},
        "documents": [_document(i, new=True) for i in entry.items]
        + [_document(i, new=False) for i in entry.earlier],
    }


def _change(change: Change) -> dict:
    return {"document_id": change.document_id, "title": change.title, "url": change.url,
            "source": change.source, "lang": change.lang,
            "revision": change.revision, "shown_revision": change.shown_revision,
            "fields": change.fields, "title_before": change.title_before,
            "categories_added": change.categories_added,
            "categories_removed": change.categories_removed, "diff": change.lines}


def render_body(digest_id: str, digest: Digest, *, browse_url: str) -> str:
    """The JSON body of one digest (docs/webhook.md)."""
    events = [_event(digest, entry, section.category)
              for section in digest.sections for entry in section.entries]
    events += [_event(digest, entry, "wider") for entry in digest.wider]
    omitted = digest.omitted
    return _dump({
        "chipwatch": FORMAT,
        "type": "digest",
        "digest_id": digest_id,
        "channel": digest.channel,
        "kind": digest.kind,
        "period": digest.period,
        "title": digest.title,
        "summary": digest.summary(),
        "events": events,
        "changes": [_change(c) for c in digest.changes],
        "changes_left_out": digest.changes_left_out,
        "deadlines": [{"date": d.date, "kind": d.kind, "what": d.what,
                       "document_id": d.document_id, "title": d.title, "url": d.url,
                       "source": d.source, "days_left": d.days_left}
                      for d in digest.deadlines],
        "omitted": ({"events": omitted.count, "document_ids": omitted.document_ids,
                     "categories": dict(omitted.categories), "link": omitted.link}
                    if omitted else None),
        "broken_sources": [{"source": r["source"], "failures": r["failures"],
                            "since": r["since"], "last_error": r["last_error"]}
                           for r in digest.broken_sources],
        "undelivered": [{"digest_id": r["id"], "status": r["status"],
                         "last_error": r["last_error"]} for r in digest.undelivered],
        "links": {"browse": browse_url},
    })


def notice_body(digest_id: str, channel: str, kind: str, title: str, text: str,
                **extra) -> str:
    """The body of a one-off notice (a source's health, a deadline's reminder)."""
    return _dump({"chipwatch": FORMAT, "type": kind, "digest_id": digest_id,
                  "channel": channel, "title": title, "text": text, **extra})


def _address(channel: WebhookChannel, name: str) -> str:
    url = (channel.address() or "").strip()
    if not url:
        raise DeliveryError(CONFIG, f"the environment variable {channel.url_env} "
                                    f"([alerts.{name}] url_env) is not set")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname \
            or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise DeliveryError(CONFIG, f"[alerts.{name}]: the webhook address is not an http(s) "
                                    f"URL; check url or url_env")
    return url


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A POST is never followed elsewhere: the redirect is an answer to judge."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def send_webhook(channel: WebhookChannel, name: str, digest_id: str, body: str) -> str:
    """POST the body, signed; a note on success, DeliveryError otherwise."""
    key = channel.secret_value()
    if not key:
        raise DeliveryError(CONFIG, f"the environment variable {channel.secret_env} "
                                    f"([alerts.{name}] secret_env) is not set")
    url = _address(channel, name)
    data = body.encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(key, data), DIGEST_HEADER: digest_id})
    where = f"webhook {name}"
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=channel.timeout) as response:
            status = response.status
            response.read(65536)
    except HTTPError as exc:
        text = exc.read(2000).decode("utf-8", "replace") if exc.fp else ""
        raise failures.webhook_answer(exc.code, text, dict(exc.headers or {}), where) from None
    except Exception as exc:  # every way a POST can fail is judged in one place
        raise failures.slack_exception(exc, where, service=f"the {where}") from None
    if not 200 <= status < 300:
        raise failures.webhook_answer(status, "", {}, where)
    return f"accepted ({status})"
