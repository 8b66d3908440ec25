"""Command-line options built from the config dataclasses: one `--option` per field, typed by its default,
its help from the field's `# comment`; each option given on the command line is remembered in
`namespace.given_options` (so that `--resume` can tell options given from defaults)."""

from __future__ import annotations

import argparse
import dataclasses

from lstmlm.training.ranges import RANGES, Range, check_setting


def _mark_given(namespace: argparse.Namespace, dest: str) -> None:
    namespace.given_options = set(getattr(namespace, "given_options", ())) | {dest}


class _Store(argparse.Action):
    """Store the value and remember the option was given (--resume tells given options from defaults)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        _mark_given(namespace, self.dest)


class _Flag(argparse.BooleanOptionalAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        _mark_given(namespace, self.dest)


def add_dataclass_options(parser: argparse.ArgumentParser, cls, skip=(), defaults=None, title=None) -> None:
    """One `--option` per dataclass field, typed by its default, help from the field's comment."""
    group = parser.add_argument_group(title or cls.__name__)
    comments = _field_comments(cls)
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        default = (defaults or {}).get(f.name, f.default)
        flag = "--" + f.name.replace("_", "-")
        helptext = comments.get(f.name, "") + f" (default: {default})"
        if f.name in RANGES and not isinstance(default, bool):
            helptext = helptext[:-1] + f"; {RANGES[f.name].describe()})"
        if isinstance(default, bool):
            group.add_argument(flag, default=default, action=_Flag, help=helptext)
        elif isinstance(default, tuple):
            kind = checked(int, f.name)
            group.add_argument(flag, default=default, type=kind, nargs="+", action=_Store, help=helptext)
        else:
            group.add_argument(
                flag,
                default=default,
                type=checked(type(default), f.name) if f.name in RANGES else type(default),
                help=helptext,
                action=_Store,
                choices=f.metadata.get("choices"),
            )


def parse_number(kind, text: str):
    """`kind(text)` (int or float); argparse.ArgumentTypeError saying what `text` is not."""
    try:
        return kind(text)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def checked(kind, name: str):
    """An argparse `type` that converts with `kind` (int or float) and refuses a value outside
    RANGES[name] (argparse then exits with status 2 and the message, before anything runs)."""

    def convert(text: str):
        value = parse_number(kind, text)
        if why := check_setting(name, value):
            raise argparse.ArgumentTypeError(why.split(": ", 1)[1] + f", not {text}")
        return value

    convert.__name__ = kind.__name__  # argparse names the type in its "invalid ... value" message
    return convert


def in_range(kind, low: float | None = None, high: float | None = None, low_open: bool = False):
    """An argparse `type` for a plain option: `kind` (int or float) within [low, high] (low excluded when
    `low_open`; None: unbounded); out of range, argparse exits with status 2 and says what is allowed."""
    rng = Range(low, high, low_open)

    def convert(text: str):
        value = parse_number(kind, text)
        if why := rng.problem(value):
            raise argparse.ArgumentTypeError(f"{why}, not {text}")
        return value

    convert.__name__ = kind.__name__
    return convert


def _field_comments(cls) -> dict[str, str]:
    """The `# comment` after each field in the dataclass source, used as --help text."""
    import inspect

    out = {}
    for line in inspect.getsource(cls).splitlines():
        s = line.strip()
        if ":" in s and "#" in s and not s.startswith(("#", "def", '"')):
            name = s.split(":", 1)[0].strip()
            out[name] = s.split("#", 1)[1].strip()
    return out


def pick_options(ns: argparse.Namespace, cls) -> dict:
    """The parsed values of `cls`'s fields."""
    return {f.name: getattr(ns, f.name) for f in dataclasses.fields(cls) if hasattr(ns, f.name)}


def given_options(ns: argparse.Namespace) -> set[str]:
    """The fields whose options were given on the command line."""
    return getattr(ns, "given_options", set())
