"""How a delivery went wrong, which decides what the outbox does next."""

from __future__ import annotations

TRANSIENT = "transient"  # try again later, with back-off (SMTP 4xx, 429, server down)
PERMANENT = "permanent"  # the server refused this digest (SMTP 5xx, Slack no_service)
CONFIG = "config"  # the channel's configuration is wrong; fix it, then `outbox retry`


class DeliveryError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind

    def __str__(self) -> str:
        prefix = {CONFIG: "configuration: ", PERMANENT: "refused: "}.get(self.kind, "")
        return prefix + self.args[0]
