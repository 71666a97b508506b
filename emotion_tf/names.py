"""Names given on the command line as comma-separated lists, checked against the names that exist.

Used by every command that takes such a list (``--only``, ``--datasets``, ``--scorers``, ``--variants``), so
that each refuses an unknown name the same way: by naming it and the valid ones, before any work is done.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable


def parse_names(given: str | Iterable[str], choices: Iterable[str], what: str) -> list[str]:
    """``"a, b,,c"`` (or several such strings) -> ``["a", "b", "c"]``, in the order given.

    Raises:
      ValueError: some names are not in ``choices`` (the message names them, then every choice), or no name
        is given at all. ``what`` names the kind of thing in the message, e.g. "dataset keys".
    """
    groups = [given] if isinstance(given, str) else list(given)
    names = [name.strip() for group in groups for name in group.split(",") if name.strip()]
    choices = list(choices)
    unknown = [name for name in names if name not in choices]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(choices)}")
    if not names:
        raise ValueError(f"no {what} given; choose from {', '.join(choices)}")
    return names


def name_list(choices: Iterable[str], what: str) -> Callable[[str], list[str]]:
    """An argparse ``type`` that parses one option's names with ``parse_names``: the parser refuses an unknown
    name as a usage error naming the option (exit 2), before the tool does any work."""
    choices = tuple(choices)

    def parse(given: str) -> list[str]:
        try:
            return parse_names(given, choices, what)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = what  # argparse names the type in some messages
    return parse
