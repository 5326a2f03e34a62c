"""What report runs write to the log.

One logger, `reports.runner`, for every module that runs report jobs (the runner's parts
and the in-process dispatcher), so a search of the logs for a failed job finds it under
one name whichever module wrote the line. A failure is logged by its type and where it was
raised, never by its message: the message of an error raised while rendering a record can
quote the record's text.
"""

from __future__ import annotations

import logging
import sys
import traceback

logger = logging.getLogger("reports.runner")


def log_failure(message: str, *args) -> None:
    """Log the current exception's type and where it was raised, not its message."""
    exc_type, _exc, tb = sys.exc_info()
    where = "".join(traceback.format_tb(tb)) if tb else ""
    logger.error(message + ": %s\n%s", *args, exc_type.__name__ if exc_type else "?", where)
