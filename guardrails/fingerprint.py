"""Fingerprints of secret values: keyed, so a report never lets anyone test guesses.

An unkeyed hash of a weak password is the password (hash ``postgres`` and compare).
The key is random, made once per machine and kept in the user's cache directory,
outside every scanned tree and every report: the same input gives the same report
on that machine, and a fingerprint means nothing without the key. Where no cache
directory is writable the key lives for one process.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache
from pathlib import Path

KEY_ENV = "GUARDRAILS_FINGERPRINT_KEY_FILE"


def _key_file() -> Path:
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "guardrails" / "fingerprint-key"


@cache
def machine_key() -> bytes:
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        os.replace(temp, path)
        return path.read_bytes()
    except OSError:
        return key


def digest(value: str) -> str:
    """The full keyed digest, for comparing values without keeping them."""
    return hmac.new(machine_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def secret_fingerprint(value: str) -> str:
    """What a report shows in place of a secret value."""
    return digest(value)[:12]
