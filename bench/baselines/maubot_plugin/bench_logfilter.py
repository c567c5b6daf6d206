"""Logging filter for the maubot baseline: lets through INFO and above, and the first
/sync request (mautrix logs it at TRACE), so start-up can be timed without paying for
TRACE logging of every request."""

import logging


class FirstSyncOnly(logging.Filter):
    seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        if not FirstSyncOnly.seen and "/v3/sync" in record.getMessage():
            FirstSyncOnly.seen = True
            return True
        return False
