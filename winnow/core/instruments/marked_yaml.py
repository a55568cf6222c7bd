"""Safe YAML that remembers where each value came from.

A SafeLoader subclass builds `MarkedDict` and `MarkedList` (a dict and a list that also hold the 1-based line of
each key and element), so the validator can name the line of any mistake. It is stricter than YAML 1.1 where the
laxness bites instrument authors:
- only true/false are booleans (`no`, `yes`, `on`, `off` stay strings: an option called "no" must not become False);
- dates stay strings (the validator decides what a value means);
- duplicate keys, anchors/aliases and merge keys are errors, not silent overwrites or expansion.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class MarkedDict(dict[str, Any]):
    """A mapping from YAML, with the line of the mapping, of each key and of each value."""

    line: int
    key_lines: dict[str, int]
    value_lines: dict[str, int]


class MarkedList(list[Any]):
    """A sequence from YAML, with the line of the sequence and of each element."""

    line: int
    item_lines: list[int]


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class MarkedSafeLoader(yaml.SafeLoader):
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (*name) are not allowed in instrument files",
                event.start_mark,
            )
        return super().compose_node(parent, index)


MarkedSafeLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: MarkedSafeLoader, node: MappingNode) -> MarkedDict:
    result = MarkedDict()
    result.line = _line(node)
    result.key_lines = {}
    result.value_lines = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise ConstructorError(None, None, "merge keys (<<) are not allowed", key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise ConstructorError(
                None, None, f"keys must be text, found {type(key).__name__} {key!r}", key_node.start_mark
            )
        if key in result:
            raise ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {result.key_lines[key]})",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = _line(key_node)
        result.value_lines[key] = _line(value_node)
    return result


def _construct_sequence(loader: MarkedSafeLoader, node: SequenceNode) -> MarkedList:
    result = MarkedList()
    result.line = _line(node)
    result.item_lines = []
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.item_lines.append(_line(child))
    return result


_MAX_INT_DIGITS = 100


def _construct_int(loader: MarkedSafeLoader, node: yaml.ScalarNode) -> int:
    # Python refuses to convert more than 4,300 digits (a ValueError with no line); no instrument needs 100.
    if len(str(node.value)) > _MAX_INT_DIGITS:
        raise ConstructorError(None, None, f"a whole number of more than {_MAX_INT_DIGITS} digits",
                               node.start_mark)
    value: int = yaml.SafeLoader.construct_yaml_int(loader, node)
    return value


MarkedSafeLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
MarkedSafeLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
MarkedSafeLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


class YamlSyntaxError(Exception):
    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(line, reason)
        self.line = line
        self.reason = reason


def load_marked(text: str) -> Any:
    """Parse one YAML document into MarkedDict/MarkedList/scalars, or raise YamlSyntaxError with a line."""
    try:
        loader = MarkedSafeLoader(text)  # the reader refuses NUL and other control characters here
    except yaml.reader.ReaderError as exc:
        where = text.count("\n", 0, exc.position) + 1
        raise YamlSyntaxError(where, f"bad YAML: the control character #x{exc.character:04x} is not allowed "
                                    "(is this a text file?)") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or "not valid YAML"
        raise YamlSyntaxError(line, f"bad YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, f"bad YAML: {exc}") from None
    except RecursionError:
        raise YamlSyntaxError(None, "bad YAML: nested too deeply") from None
    finally:
        loader.dispose()
