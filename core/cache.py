"""The shared cache (Redis, ``REDIS_URL``) may be down: what counts in it fails open.

Rate limits are a defence, not a service: with Redis unreachable, a request is let through
without being counted, and one warning is logged for it (no traceback; the site carries on).
Sessions do not depend on the cache (they live in the database), nor do template fragments
(each process's memory).
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What Django's Redis backend raises when Redis does not answer (refused, timed out, reset).
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError,)


def cache_unavailable(what: str, error: Exception) -> None:
    """Log that ``what`` went ahead without the shared cache."""
    logger.warning("%s: the shared cache is unavailable (%s); not applied", what, error)
