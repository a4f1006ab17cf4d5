"""Clients: a lazily created singleton without a lock (P0) and a global that binds nothing (P1)."""

import threading

_client = None
_lock = threading.Lock()
_safe_client = None
retries = 3


class Client:
    pass


def get_client():
    global _client
    if _client is None:
        _client = Client()
    return _client


def get_safe_client():
    global _safe_client
    with _lock:
        if _safe_client is None:
            _safe_client = Client()
    return _safe_client


def retry_count():
    global retries
    return retries
