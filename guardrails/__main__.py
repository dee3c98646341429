"""``python -m guardrails`` and the ``guardrails`` command."""

import gc


def run() -> None:
    # Start-up creates ~100k long-lived objects (modules, classes, dataclass methods) and no
    # garbage: cyclic collection during it is wasted work (~6% of a one-file scan). The scan
    # turns collection back on (cli._run) once the imports it always needs are done.
    gc.disable()
    from guardrails.cli import main

    main()


if __name__ == "__main__":
    run()
