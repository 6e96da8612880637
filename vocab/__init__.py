"""The words chipwatch is written in, known to every floor of the house.

Which sources and languages exist (`sources.toml`, `languages`), the categories a rules file
declares (`categories`), how text and Chinese are normalised (`text`), and the typed values
configuration is written in (`values`). This package imports nothing else of chipwatch, so the
crawler, the store, the alerts and the tracker can all read it.
"""

from .errors import ConfigError

__all__ = ["ConfigError"]
