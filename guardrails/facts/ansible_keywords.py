"""What the keys of an Ansible play and task mean: data read by detection (is this YAML a
playbook or a task list?) and by guardrails.facts.ansible (which key names the module).

Source: Ansible documentation, "Playbook Keywords" (ansible-core 2.17), and the module
index of ansible.builtin.
"""

from __future__ import annotations

# Keys of a play that only a play has; ``hosts`` is what makes a mapping a play.
PLAY_SECTIONS = ("pre_tasks", "roles", "tasks", "post_tasks", "handlers")
PLAYBOOK_IMPORTS = frozenset({"import_playbook", "ansible.builtin.import_playbook"})

# Task keywords: every other key of a task names its module (exactly one per task).
TASK_KEYWORDS = frozenset(
    {
        "action",
        "any_errors_fatal",
        "args",
        "async",
        "become",
        "become_exe",
        "become_flags",
        "become_method",
        "become_user",
        "changed_when",
        "check_mode",
        "collections",
        "connection",
        "debugger",
        "delay",
        "delegate_facts",
        "delegate_to",
        "diff",
        "environment",
        "failed_when",
        "ignore_errors",
        "ignore_unreachable",
        "listen",
        "local_action",
        "loop",
        "loop_control",
        "module_defaults",
        "name",
        "no_log",
        "notify",
        "poll",
        "port",
        "register",
        "remote_user",
        "retries",
        "run_once",
        "tags",
        "throttle",
        "timeout",
        "until",
        "vars",
        "when",
    }
)
# Keys of a block: its task lists.
BLOCK_SECTIONS = ("block", "rescue", "always")

# Modules that include or import a task file: the file is read as part of the task list.
INCLUDE_MODULES = frozenset({"include_tasks", "import_tasks", "include"})
# Modules that start a container, by short name (guardrails.facts.ansible_containers reads them).
CONTAINER_MODULES = frozenset({"docker_container", "podman_container"})


def may_start_container(text: str) -> bool:
    """The cheap test before a file's container tasks are read (and their facts imported)."""
    return any(name in text for name in CONTAINER_MODULES)


# Modules whose free-form text or ``cmd``/``argv`` is a command line a shell (or exec) runs.
SHELL_MODULES = frozenset({"shell", "command", "raw", "script"})
# Modules that stop the play for the host when they run (``fail``, ``meta: end_play``), or when
# their assertion is false (``assert``).
STOP_MODULES = frozenset({"fail", "meta"})
STOP_META = frozenset({"end_play", "end_host", "end_batch"})
ASSERT_MODULES = frozenset({"assert"})
# ``pause`` asks the operator and ``register``s the answer (``.user_input``).
PROMPT_MODULES = frozenset({"pause"})

# ansible.builtin modules common enough that a task list outside a role's tasks/ directory is
# recognised by them (a list of mappings with one of these keys is a task list).
BUILTIN_MODULES = frozenset(
    {
        "apt",
        "assert",
        "blockinfile",
        "command",
        "copy",
        "cron",
        "debug",
        "dnf",
        "fail",
        "fetch",
        "file",
        "get_url",
        "git",
        "group",
        "import_role",
        "import_tasks",
        "include_role",
        "include_tasks",
        "include_vars",
        "lineinfile",
        "meta",
        "package",
        "pause",
        "pip",
        "raw",
        "replace",
        "script",
        "service",
        "set_fact",
        "shell",
        "stat",
        "systemd",
        "systemd_service",
        "template",
        "unarchive",
        "uri",
        "user",
        "wait_for",
        "yum",
    }
)
# The strings Ansible reads as true for a boolean argument (ansible.module_utils.parsing.
# convert_bool.BOOLEANS_TRUE), compared lower-cased.
BOOLEANS_TRUE = frozenset({"y", "yes", "on", "1", "true", "t"})
# Collection prefixes written in front of a builtin module's name.
BUILTIN_PREFIXES = ("ansible.builtin.", "ansible.legacy.")


def is_playbook(plays: list[list[str]]) -> bool:
    """The keys of each item of a list make it a playbook: plays (``hosts``) and playbook imports
    (``import_playbook``; the old ``include`` of a playbook, beside at least one play)."""
    imports = [any(key in PLAYBOOK_IMPORTS for key in keys) for keys in plays]
    hosts = ["hosts" in keys for keys in plays]
    old = ["include" in keys for keys in plays]
    if not plays or not all(h or i or o for h, i, o in zip(hosts, imports, old, strict=True)):
        return False
    return any(hosts) or all(imports)


def is_task_keyword(key: str) -> bool:
    """A task keyword, the ``with_<lookup>`` loops included."""
    return key in TASK_KEYWORDS or key.startswith("with_")


def short_name(key: str) -> str:
    """``community.postgresql.postgresql_db`` -> ``postgresql_db``; ``shell`` stays ``shell``."""
    return key.rsplit(".", 1)[-1]


def is_module_key(key: str) -> bool:
    """A key that names a module surely: a builtin, or a fully qualified collection name."""
    return key.startswith(BUILTIN_PREFIXES) or key in BUILTIN_MODULES or key.count(".") >= 2
