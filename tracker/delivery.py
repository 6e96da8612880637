"""What the cycle and the daemon hand to alerts: due deliveries and health changes."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from tracker.config import Config
from tracker.health import Transition

log = logging.getLogger("chipwatch.delivery")


def deliver_due(config: Config, db: Database, now: datetime) -> None:
    """Deliver due digests, urgent alerts and pending retries."""


def announce_health(config: Config, db: Database, transition: Transition, now: datetime) -> None:
    """Queue one alert for a change of a source's health."""
