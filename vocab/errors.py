"""The one error for a configuration or data file a person has to fix."""


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits the file."""
