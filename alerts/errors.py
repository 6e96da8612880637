"""How a delivery went wrong, which decides what the outbox does next (alerts/failures.py
decides which it is)."""

from __future__ import annotations

from datetime import timedelta

TRANSIENT = "transient"  # try again later, with back-off (SMTP 4xx, 429, server down)
PERMANENT = "permanent"  # the server refused this digest (SMTP 5xx, Slack no_service)
CONFIG = "config"  # the channel's configuration is wrong; fix it, then `outbox retry`


class DeliveryError(Exception):
    def __init__(self, kind: str, message: str, *, retry_after: timedelta | None = None,
                 maybe_delivered: bool = False):
        super().__init__(message)
        self.kind = kind
        # The server asked for this wait before the next attempt (already capped).
        self.retry_after = retry_after
        # The digest went out whole and no answer came: it may have arrived.
        self.maybe_delivered = maybe_delivered

    def __str__(self) -> str:
        prefix = {CONFIG: "configuration: ", PERMANENT: "refused: "}.get(self.kind, "")
        return prefix + self.args[0]
