"""Reading one catalog YAML file safely into plain values, keeping where each thing was written.

libyaml (PyYAML's C parser) composes the node tree; the plain values are built here from the
nodes rather than by PyYAML's constructor: it is faster (the constructor is pure Python), and it
is where the safety rules live: only the standard YAML tags, no duplicate keys, aliases counted
instead of expanded. Positions are not copied onto every value: the node tree is composed again,
only for a file that has a problem to point at.
"""

from __future__ import annotations

import codecs
import re
from math import isfinite
from pathlib import Path

import yaml

from reconciler.catalog.yaml11 import bool_surprise, number_surprise
from reconciler.catalog.yaml_errors import character_problem, syntax_problem, tab_problem
from reconciler.errors import Location, Problem

_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_TAG + n for n in ("str", "int", "float", "bool", "null"))
TIMESTAMP, MERGE = _TAG + "timestamp", _TAG + "merge"
# What YAML lets a file hold raw (its printable set); an escape in a double-quoted scalar
# ("\a", "\0", "\x0c") can put anything else in a value, and no control character may travel
# in an XML package (XML 1.0 refuses them) or make sense in a sku or a comment.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# An alias may repeat a part of the file, but not blow it up: a billion-laughs file is refused
# before any walker expands it (the values built here share the aliased parts).
ALIAS_GROWTH_LIMIT = 10
ALIAS_FREE_NODES = 10_000
# No catalog number needs more digits; Python's int() refuses more than 4,300 (sys docs).
_MAX_DIGITS = 100


class _Loader(yaml.CSafeLoader):
    """libyaml's composer with a memo on implicit tag resolution.

    Resolving a plain scalar (is it an int? a date?) runs Python regexes and is a good part of
    composing; a catalog repeats the same keys and many values, and a plain scalar's tag depends
    on its text alone, so each distinct text is resolved once per file.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.tags: dict[str, str] = {}
        # The composer tells the path resolvers of each node it enters and leaves: two Python
        # calls per node that do nothing (a safe loader has no path resolvers). A built-in
        # taking the same arguments and doing nothing is called instead.
        self.descend_resolver = {}.get
        self.ascend_resolver = [].clear

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not _SCALAR:  # without path resolvers, a collection's tag is its kind's
            return _COLLECTION_TAGS[kind]
        if not implicit[0]:  # quoted: a string (the safe loader has no path resolvers)
            return STR
        tag = self.tags.get(value)
        if tag is None:
            tag = self.tags[value] = _plain_number(value) or super().resolve(kind, value, implicit)
        return tag


_SCALAR = yaml.ScalarNode
_COLLECTION_TAGS = {
    yaml.SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
}


def _plain_number(value: str) -> str | None:
    """INT or FLOAT for the common `12` and `19.99`, decided without the resolver's regexes."""
    whole, dot, cents = value.partition(".")
    if not (whole.isascii() and whole.isdigit()) or (whole[0] == "0" and len(whole) > 1):
        return None
    if not dot:
        return INT
    return FLOAT if cents.isascii() and cents.isdigit() else None


def compose(text: str) -> yaml.Node | None:
    """The node tree of a one-document YAML text (yaml.MarkedYAMLError when malformed)."""
    return _Loader(text).get_single_node()


class YamlFile:
    """One loaded file: its plain `data` (None when it could not be read) and its `problems`."""

    __slots__ = ("path", "name", "text", "data", "problems", "item_marks", "_root", "_keys")

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name  # how problems name the file
        self.text = ""
        self.data: object = None
        self.problems: list[Problem] = []
        # (line, column) of each item of the top-level lists (offers, operations), by key
        self.item_marks: dict[str, list[tuple[int, int]]] = {}
        self._root: yaml.Node | None = None
        # the entries of each mapping node by key, made once: `at` is asked once per problem
        self._keys: dict[int, dict[object, tuple[yaml.Node, yaml.Node]]] = {}

    def at(self, field: tuple[str | int, ...], key: bool = False) -> Location:
        """The location of a field path such as ("offers", 3, "price"): its value, or its key.

        A path that goes through something the file does not spell out (a merged or defaulted
        value) points at the deepest part that is there.
        """
        node = self._node()
        line = column = 0
        if node is not None:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            for depth, step in enumerate(field, 1):
                found = self._child(node, step, key and depth == len(field))
                if found is None:
                    break
                node = found if isinstance(found, yaml.Node) else found[1]
                mark = (found[0] if isinstance(found, tuple) else found).start_mark
                line, column = mark.line + 1, mark.column + 1
        return Location(self.name, line, column, field_path(field))

    def problem(self, field: tuple[str | int, ...], message: str, key: bool = False) -> Problem:
        return Problem(self.at(field, key), message)

    def _child(self, node: yaml.Node, step: str | int, key: bool) -> yaml.Node | tuple | None:
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            return node.value[step] if 0 <= step < len(node.value) else None
        if not isinstance(node, yaml.MappingNode):
            return None
        entries = self._keys.get(id(node))
        if entries is None:  # scanning the mapping for every problem was quadratic
            entries = self._keys[id(node)] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    entries.setdefault(key_node.value, (key_node, value_node))
        found = entries.get(step)
        if found is None:
            return None
        return found if key else found[1]

    def _node(self) -> yaml.Node | None:
        if self._root is None and self.text:
            self._root = compose(self.text)
        return self._root


def field_path(field: tuple[str | int, ...]) -> str:
    """("offers", 3, "price") -> "offers[3].price"."""
    text = ""
    for step in field:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def load_yaml(path: Path, name: str, raw: bytes | None = None) -> YamlFile:
    """Read `path` (or take its bytes, `raw`, already read by the caller); problems (never
    exceptions) for anything unsafe or malformed."""
    loaded = YamlFile(path, name)
    try:
        raw = path.read_bytes() if raw is None else raw
    except OSError as err:
        loaded.problems.append(Problem(Location(name), f"cannot read the file: {err.strerror}"))
        return loaded
    text = _decode(raw, loaded)
    if text is None:
        return loaded
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as err:
        loaded.problems.append(tab_problem(text, err, name) or syntax_problem(err, name))
        return loaded
    except yaml.reader.ReaderError as err:  # a character YAML refuses (NUL, ESC, ...)
        loaded.problems.append(character_problem(text, err, name))
        return loaded
    if root is None:
        loaded.problems.append(Problem(Location(name, 1, 1), "the file is empty"))
        return loaded
    loaded.text = text
    builder = _Builder("&" in text)
    try:
        data = builder.build(root)
    except RecursionError:  # libyaml allows 1,000 levels; a catalog needs a handful
        loaded.problems.append(Problem(Location(name, 1, 1), "the file nests too deeply"))
        return loaded
    if builder.errors:
        loaded._root = root
        loaded.problems += _node_problems(loaded, root, builder.errors)
    elif builder.expanded > ALIAS_GROWTH_LIMIT * builder.distinct + ALIAS_FREE_NODES:
        loaded.problems.append(
            Problem(
                Location(name, 1, 1),
                f"YAML aliases expand {builder.distinct} nodes to {builder.expanded}: "
                "refused (an alias bomb?)",
            )
        )
    elif data is None:
        loaded.problems.append(Problem(Location(name, 1, 1), "the file is empty"))
    else:
        loaded.data = data
        loaded.item_marks = _item_marks(root)
    if builder.surprises and not builder.errors:
        loaded.problems += _node_problems(loaded, root, builder.surprises, "warning")
    return loaded


def _item_marks(root: yaml.Node) -> dict[str, list[tuple[int, int]]]:
    marks: dict[str, list[tuple[int, int]]] = {}
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if isinstance(value_node, yaml.SequenceNode):
                starts = [item.start_mark for item in value_node.value]
                marks[key_node.value] = [(m.line + 1, m.column + 1) for m in starts]
    return marks


def _decode(raw: bytes, loaded: YamlFile) -> str | None:
    name = loaded.name
    if raw.startswith(codecs.BOM_UTF8):
        problem = "the file starts with a byte-order mark (BOM): save it as UTF-8 without BOM"
        loaded.problems.append(Problem(Location(name, 1, 1), problem))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        byte = raw[err.start]
        problem = f"the file is not UTF-8 (byte 0x{byte:02x}): save it as UTF-8"
        loaded.problems.append(Problem(Location(name, line, column), problem))
        return None
    if not text.strip():
        loaded.problems.append(Problem(Location(name, 1, 1), "the file is empty"))
        return None
    return text


def _node_problems(
    loaded: YamlFile,
    root: yaml.Node,
    errors: list[tuple[yaml.Node, str]],
    severity: str = "error",
) -> list[Problem]:
    paths = _paths_of(root, {id(node) for node, _ in errors})
    problems = []
    for node, message in errors:
        mark = node.start_mark
        where = Location(loaded.name, mark.line + 1, mark.column + 1, field_path(paths[id(node)]))
        problems.append(Problem(where, message, severity))
    return problems


def _paths_of(root: yaml.Node, targets: set[int]) -> dict[int, tuple[str | int, ...]]:
    """The field path of each target node, in one walk (only for a file with problems)."""
    found: dict[int, tuple[str | int, ...]] = {}
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    visited: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in visited:  # an alias: its first path is the one shown
            continue
        visited.add(id(node))
        if id(node) in targets:
            found.setdefault(id(node), path)
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, (*path, i)) for i, item in reversed(list(enumerate(node.value)))]
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                scalar = isinstance(key_node, yaml.ScalarNode)
                step_path = (*path, key_node.value) if scalar else path
                if id(key_node) in targets:
                    found.setdefault(id(key_node), step_path)
                stack.append((value_node, step_path))
    return {target: found.get(target, ()) for target in targets}


_BOOLS = yaml.constructor.SafeConstructor.bool_values
_KEY_TAGS = frozenset((STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, MERGE))
_BUILDING = (None, 0)  # a collection whose items are being built (an alias to it is a loop)


def _decimal_int(text: str) -> int | None:
    if text[0] == "0" and len(text) > 1:  # 0x1F, 010: YAML's reading, not Python's
        return None
    try:
        return int(text)
    except ValueError:  # 1:30 (sexagesimal)
        return None


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _Builder:
    """Builds plain values (dict, list, str, int, float, bool, None) from a node tree.

    Timestamps stay text: the catalog parses its own dates (and says so when one is wrong).
    """

    def __init__(self, has_anchors: bool) -> None:
        self.errors: list[tuple[yaml.Node, str]] = []
        # values YAML 1.1 reads otherwise than a person (and YAML 1.2) does: warnings
        self.surprises: list[tuple[yaml.Node, str]] = []
        self.built: dict[int, tuple[object, int]] | None = {} if has_anchors else None
        self.distinct = 0  # nodes in the file
        self.expanded = 0  # nodes once every alias is expanded

    def build(self, node: yaml.Node) -> object:
        if type(node) is yaml.ScalarNode:
            self.distinct += 1
            self.expanded += 1
            return self.scalar(node)
        built = self.built
        if built is not None:
            seen = built.get(id(node))
            if seen is _BUILDING:
                self.errors.append((node, "a YAML alias refers to a part that contains it"))
                return None
            if seen is not None:  # an alias: share the value, count its expansion
                self.expanded += seen[1]
                return seen[0]
            built[id(node)] = _BUILDING
        before = self.expanded
        self.distinct += 1
        self.expanded += 1
        if type(node) is yaml.MappingNode:
            value: object = self.mapping(node)
        else:
            if node.tag != _TAG + "seq":
                self.errors.append((node, f"the YAML tag {_tag_name(node.tag)} is not allowed"))
            value = [self.build(item) for item in node.value]
        if built is not None:
            built[id(node)] = (value, self.expanded - before)
        return value

    def mapping(self, node: yaml.MappingNode) -> dict[str, object]:
        if node.tag != _TAG + "map":
            self.errors.append((node, f"the YAML tag {_tag_name(node.tag)} is not allowed"))
        result: dict[str, object] = {}
        merged: dict[str, object] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                self.errors.append((key_node, "a key must be a plain name, not a list or mapping"))
                continue
            if key_node.tag is not STR and key_node.tag not in _KEY_TAGS:
                self.errors.append(
                    (key_node, f"the YAML tag {_tag_name(key_node.tag)} is not allowed")
                )
                continue
            key = key_node.value
            if key_node.tag == MERGE:
                self.merge(merged, key_node, self.build(value_node))
                continue
            if key in result:
                first = next(k for k, _ in node.value if getattr(k, "value", None) == key)
                where = f"line {first.start_mark.line + 1}"
                self.errors.append((key_node, f"duplicate key {key!r} (first at {where})"))
                continue
            if type(value_node) is _SCALAR:  # most values: spared the call through build
                self.distinct += 1
                self.expanded += 1
                result[key] = self.scalar(value_node)
            else:
                result[key] = self.build(value_node)
        if merged:
            return {**merged, **result}
        return result

    def merge(self, merged: dict[str, object], node: yaml.Node, value: object) -> None:
        for part in value if isinstance(value, list) else [value]:
            if not isinstance(part, dict):
                self.errors.append((node, "a merge key (<<) takes a mapping or a list of them"))
                return
            for key, item in part.items():
                merged.setdefault(key, item)

    def _surprise(self, node: yaml.ScalarNode, message: str | None) -> None:
        if message:
            self.surprises.append((node, message))

    def scalar(self, node: yaml.ScalarNode) -> object:
        tag, text = node.tag, node.value
        if node.style == '"' and (control := _NOT_PRINTABLE.search(text)):
            code = ord(control.group())
            self.errors.append((node, f"a control character (U+{code:04X}) is not allowed"))
            return text
        if tag is STR or tag == STR or tag == TIMESTAMP:  # noqa: SIM109 - fastest first
            return text
        if tag in (INT, FLOAT) and len(text) > _MAX_DIGITS:
            # Python's int() refuses it (its digit limit); no price or stock needs it
            self.errors.append((node, f"a number of {len(text):,} characters is far too long"))
            return None
        if tag == INT:
            number = _decimal_int(text)
            if number is None:
                number = yaml.constructor.SafeConstructor().construct_yaml_int(node)
            if "_" in text or ":" in text or text[0] in "0+-":  # cheap test, then the exact one
                self._surprise(node, number_surprise(text, number))
            return number
        if tag == FLOAT:
            try:
                number = float(text)
            except ValueError:  # 1:30.5 (sexagesimal), .inf, .nan
                number = yaml.constructor.SafeConstructor().construct_yaml_float(node)
            if "_" in text or ":" in text:
                self._surprise(node, number_surprise(text, number))
            if isfinite(number):
                return number
            # No price, rate or quantity is infinite: refused here, before any rule compares it.
            self.errors.append((node, f"a number must be finite (got {text})"))
            return None
        if tag == BOOL:
            value = _BOOLS[text.lower()]
            if text.lower() not in ("true", "false"):  # yes, no, on, off: YAML 1.1 only
                self._surprise(node, bool_surprise(text, value))
            return value
        if tag == NULL:
            return None
        self.errors.append((node, f"the YAML tag {_tag_name(tag)} is not allowed"))
        return text
