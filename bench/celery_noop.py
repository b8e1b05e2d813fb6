"""The no-op task of bench/dispatch.py's floor (the worker loads it with `-I bench.celery_noop`).

It only counts itself in Redis, so the bench sees when all N have run: what is left is what
Celery, the broker and the prefork pool cost per task.
"""

import os

import redis
from celery import shared_task

_redis = None


@shared_task(name="bench.noop", acks_late=True)
def noop(counter: str) -> None:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(os.environ["REDIS_URL"])
    _redis.incr(counter)
