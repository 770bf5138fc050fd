"""Find the `catalog ...` calls in shell text and check them against the real click commands."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import click

from reconciler.cli.main import cli

# tokens that end one shell command (shlex with punctuation_chars groups these characters)
_OPERATORS = set(";&|<>()") | {"&&", "||", ">>", ">&", "2>", "|&"}
_COMMAND_STARTS = {"then", "do", "else", "if", "!", "time", "exec"}


def catalog_calls(script: str) -> Iterator[list[str]]:
    """The argument lists of every `catalog` command run by a shell script."""
    script = script.replace("\\\n", " ")
    # ${VAR:+words}: the words when VAR is set, which is the call to check
    script = re.sub(r"\$\{\w+:\+([^}]*)\}", r"\1", script)
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
        at_start = True
        for i, token in enumerate(tokens):
            if at_start and token == "catalog":
                yield _until_operator(tokens[i + 1 :])
            at_start = _ends_command(token) or (at_start and token in _COMMAND_STARTS)


def _ends_command(token: str) -> bool:
    return token in _OPERATORS or all(c in ";&|()" for c in token)


def _until_operator(tokens: list[str]) -> list[str]:
    args = []
    for token in tokens:
        if _ends_command(token) or token[:1] in "<>" or token.endswith(">"):
            break
        args.append(token)
    return args


def call_problems(args: list[str]) -> list[str]:
    """What in `catalog <args>` our CLI would refuse: an unknown command, option or value."""
    ctx = click.Context(cli)
    group_args = []
    while args and args[0].startswith("-"):
        group_args.append(args.pop(0))
    problems = _option_problems(cli, group_args, positionals_allowed=0)
    if not args:
        return [*problems, "no sub-command"]
    name, rest = args[0], args[1:]
    command = cli.get_command(ctx, name)
    while isinstance(command, click.Group) and rest:  # `catalog packages prune ...`
        name, rest = f"{name} {rest[0]}", rest[1:]
        command = command.get_command(ctx, name.rsplit(" ", 1)[1])
    if command is None:
        return [*problems, f"no command `catalog {name}`"]
    capacity = sum(
        (1_000 if p.nargs == -1 else p.nargs)
        for p in command.params
        if isinstance(p, click.Argument)
    )
    return problems + [f"catalog {name}: {p}" for p in _option_problems(command, rest, capacity)]


def _option_problems(
    command: click.Command, args: list[str], positionals_allowed: int
) -> list[str]:
    options = {
        opt: p
        for p in command.params
        if isinstance(p, click.Option)
        for opt in (*p.opts, *p.secondary_opts)
    }
    problems, positionals, i = [], 0, 0
    while i < len(args):
        token = args[i]
        i += 1
        if not token.startswith("-") or token == "-":
            positionals += 1
            continue
        name, has_value, value = token.partition("=")
        option = options.get(name)
        if option is None:
            problems.append(f"unknown option {name}")
            continue
        if option.is_flag or option.count:
            continue
        if not has_value:
            if i >= len(args):
                problems.append(f"{name} needs a value")
                continue
            value, i = args[i], i + 1
        problems.extend(_value_problems(name, option, value))
    if positionals > positionals_allowed:
        problems.append(f"{positionals} arguments, at most {positionals_allowed} accepted")
    return problems


def _value_problems(name: str, option: click.Option, value: str) -> list[str]:
    choice = isinstance(option.type, click.Choice) and "$" not in value
    if choice and value not in option.type.choices:
        return [f"{name} {value}: not one of {', '.join(option.type.choices)}"]
    return []
