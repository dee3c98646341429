"""A server started through ``sh -c``: only the command that starts it gives its flags."""

from __future__ import annotations

from guardrails.facts.datastores import auth_state, find_datastore


def _open(words: list[str]) -> bool:
    store = find_datastore("redis:7")
    assert store is not None
    return auth_state(store, {}, words, "redis:7").open


def test_the_servers_flags_in_a_shell_string_count() -> None:
    assert not _open(["sh", "-c", "exec docker-entrypoint.sh redis-server --requirepass s3cret-x"])
    assert not _open(["/bin/sh", "-ec", "sysctl -w x=1; redis-server --requirepass s3cret-x"])


def test_a_flag_another_command_of_the_script_names_is_not_the_servers() -> None:
    assert _open(["sh", "-c", "echo --requirepass s3cret-x; redis-server"])
    assert _open(["sh", "-c", "redis-server || echo run with --requirepass s3cret-x"])
