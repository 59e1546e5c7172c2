"""The command line's language: Vietnamese by default, like the pages; English with
`avroll --lang en …` or AVROLL_LANG=en.

One mechanism covers every command, those added later too: `localise()` walks the command
tree once (from `main.py`) and gives each command a context whose help formatter reads
help texts, option help and headings from `cli_words.HELP_VI`; and while a command runs,
its output and error streams are read line by line, each line that matches a template
of `cli_words.MESSAGES_VI` written in Vietnamese; the words of a listing's padded rows go
through `word()`. A new command adds its help texts, messages and words to `cli_words.py`;
tests walk the tree and the source, and fail on any of them without Vietnamese.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import sys

import click

from collector.cli import cli_words
from collector.web import words

LANGUAGES = ("vi", "en")
ENV = "AVROLL_LANG"
_chosen = {"lang": None}  # set by --lang for this run


def language():
    """The language of this run: --lang, else AVROLL_LANG, else Vietnamese."""
    asked = _chosen["lang"] or os.environ.get(ENV, "").strip().lower()
    return asked if asked in LANGUAGES else "vi"


def choose(_ctx, _param, value):
    """--lang's callback (eager: it holds before any help or message is written)."""
    _chosen["lang"] = value
    return value


def _plain(text):
    return " ".join(text.split())


def help_text(text):
    """A help text in this run's language, paragraph by paragraph (unknown ones as they are)."""
    if language() == "en" or not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(cli_words.HELP_VI.get(_plain(part), part) for part in paragraphs)


# What click appends to an option's help: [default: …], [required], [env var: …].
EXTRA = re.compile(r"^(?P<help>.*?)(?P<extra>\s\s\[[^\]]*\])?$", re.S)


def _definition(text):
    found = EXTRA.match(text)
    help_part = cli_words.HELP_VI.get(_plain(found["help"]), found["help"])
    extra = found["extra"] or ""
    for english, vietnamese in cli_words.EXTRA_VI.items():
        extra = extra.replace(english, vietnamese)
    return help_part + extra


class LocalisedFormatter(click.HelpFormatter):
    """Click's help formatter, writing texts, option help and headings in Vietnamese."""

    def write_usage(self, prog, args="", prefix=None):
        if language() == "vi" and prefix is None:
            prefix = "Cách dùng: "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading):
        if language() == "vi":
            heading = cli_words.HEADINGS_VI.get(heading, heading)
        super().write_heading(heading)

    def write_text(self, text):
        super().write_text(help_text(text) if language() == "vi" else text)

    def write_dl(self, rows, col_max=30, col_spacing=2):
        if language() == "vi":
            rows = [(term, _definition(definition)) for term, definition in rows]
        super().write_dl(rows, col_max, col_spacing)


class LocalisedContext(click.Context):
    formatter_class = LocalisedFormatter


def _short_help(command, original):
    def short_help(limit=45):
        if language() == "en" or command.short_help:
            return original(limit)
        english, command.help = command.help, help_text(command.help)
        try:
            return original(limit)
        finally:
            command.help = english

    return short_help


def localise(command):
    """Give `command` and every command under it the localised help (once, at start)."""
    command.context_class = LocalisedContext
    command.get_short_help_str = _short_help(command, command.get_short_help_str)
    for sub in getattr(command, "commands", {}).values():
        localise(sub)


def _matcher(english):
    parts = re.split(r"(?<!\{)\{(\w+)\}(?!\})", english)
    regex = "".join(
        re.escape(part) if n % 2 == 0 else f"(?P<{part}>.*?)" for n, part in enumerate(parts)
    )
    return re.compile(regex + r"\Z", re.S)


def word(english):
    """A word of a data row (a state, a column's label) in this run's language: a row's
    columns are padded to line up, which the line templates of `message()` cannot read."""
    if language() == "en":
        return english
    return cli_words.WORDS_VI.get(english, english)


_MESSAGES = [(_matcher(english), vietnamese) for english, vietnamese in cli_words.MESSAGES_VI]


def message(line):
    """One line of output in Vietnamese when it matches a known message (its varying
    parts kept, themselves translated when they are messages too); else as it is."""
    if language() == "en":
        return line
    for matcher, vietnamese in _MESSAGES:
        found = matcher.match(line)
        if found:
            return vietnamese.format(
                **{
                    name: message(value) if value else value
                    for name, value in found.groupdict().items()
                }
            )
    # The store's own messages (a setting, a units file, an account) read as on the pages.
    return words.message(line, "vi")


class LocalisedStream:
    """A text stream that writes each complete line (and what is left at a flush, e.g. a
    question) through `message()`."""

    def __init__(self, stream):
        self._stream, self._pending = stream, ""

    def write(self, text):
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._stream.write(message(line) + "\n")
        return len(text)

    def flush(self):
        if self._pending:
            self._stream.write(message(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def localised_output():
    """While a command runs in Vietnamese, its stdout and stderr speak Vietnamese."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = LocalisedStream(saved[0]), LocalisedStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved


class LocalisedGroup(click.Group):
    """`avroll`: the group whose runs write their messages in this run's language."""

    def main(self, *args, **kwargs):
        _chosen["lang"] = None
        with localised_output():
            return super().main(*args, **kwargs)
