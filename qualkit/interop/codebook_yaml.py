"""Codebooks as YAML files (format: docs/codebook.md): every problem reported with its line, and a dump
in the key order people read that loads back equal.

Checks run on the composed YAML nodes, not on loaded Python values, because only nodes still know their
line; the Codebook is built from the nodes once nothing is wrong.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualkit.errors import CodebookError, CodebookProblem
from qualkit.model.codebook import CODE_ID, Code, Codebook
from qualkit.model.names import unprintable

TOP_KEYS = ("name", "version", "codes")
CODE_KEYS = tuple(Code.model_fields)  # id, name, description, include ... color, children: the dump order
TEXT_LISTS = ("include", "exclude", "keywords", "examples")
FOLD_WIDTH = 100  # a description longer than this is written folded (`>-`) onto lines about this wide
_NO_WRAP = 1_000_000

_TAG = "tag:yaml.org,2002:"
_KINDS = {"str": "text", "int": "a number", "float": "a number", "bool": "true/false", "null": "nothing",
          "timestamp": "a date"}
_HEX_COMMENT = re.compile(r"[ \t]*(#[0-9A-Fa-f]{3,8})[ \t]*(?=\r?\n|\x00)")  # PyYAML ends its buffer with \0
_UNICODE_BREAKS = "\x85\u2028\u2029"  # YAML 1.1 line breaks besides \n and \r
_SYNTAX_FIXES = {  # what PyYAML says -> what to do; anything else gets the general advice
    "undefined alias": "Define the anchor (`&name`) before its alias (`*name`), or remove the alias.",
    "duplicate anchor": "Give each anchor (`&name`) its own name.",
    "single document": "A codebook file holds one document: remove the `---` line and what follows it.",
    "'\\t'": "Indent with spaces, not tabs.",
}
_SYNTAX_FIX = ("Check the indentation and quoting on this line and the one above: text containing ': ' "
               "or starting with #, *, &, [ or { must be in quotes.")

Alias = tuple[str, int]  # anchor name, line of the `*alias`


def load_codebook(path: str | Path) -> Codebook:
    """The codebook in the YAML file at `path`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CodebookError(CodebookProblem(f"cannot be read ({error.strerror}).",
                                            "Check the path and that it is a file you may read."),
                            path=path) from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CodebookError(CodebookProblem("is not UTF-8 text.", "Save it with UTF-8 encoding.", line),
                            path=path) from error
    return parse_codebook(text, source=str(path))


def parse_codebook(text: str, source: str = "<string>") -> Codebook:
    """The codebook in YAML `text`; `source` names it in error messages (usually its path)."""
    try:
        loader = _Composer(text)  # checks every character is allowed before parsing
        root = loader.get_single_node()
    except (yaml.reader.ReaderError, yaml.MarkedYAMLError) as error:
        raise CodebookError(_syntax_problem(error, text), path=source) from error
    checker = _Checker(loader.aliases)
    data = checker.codebook(root)
    if checker.problems:
        raise CodebookError(*checker.problems, path=source)
    return Codebook.model_validate(data)


def dump_codebook(codebook: Codebook) -> str:
    """YAML for `codebook`, keys in reading order, defaults left out; parse_codebook reads it back equal."""
    data = {"name": codebook.name, "version": codebook.edition or codebook.version,
            "codes": [_code_data(code) for code in codebook.codes]}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=_NO_WRAP)


class _Composer(yaml.SafeLoader):
    """A SafeLoader that remembers where each alias was used: the node tree it builds forgets."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.aliases: dict[tuple[int, int | str], Alias] = {}

    def compose_node(self, parent: Node | None, index: int | Node | None) -> Node:
        if self.check_event(yaml.AliasEvent) and isinstance(index, int | ScalarNode):
            event = self.peek_event()
            position = index if isinstance(index, int) else index.value
            self.aliases[(id(parent), position)] = (event.anchor, event.start_mark.line + 1)
        return super().compose_node(parent, index)


class _Checker:
    """One pass over the node tree: collects every problem and builds plain data for the model."""

    def __init__(self, aliases: dict[tuple[int, int | str], Alias]) -> None:
        self.aliases = aliases
        self.problems: list[CodebookProblem] = []
        self.id_lines: dict[str, list[int]] = defaultdict(list)
        self.seen: set[int] = set()  # code nodes already checked: one reached again came through an alias
        self.ancestors: set[int] = set()  # code nodes on the path from the top to the one being checked

    def problem(self, at: Node | int, what: str, fix: str) -> None:
        self.problems.append(CodebookProblem(what, fix, _line(at) if isinstance(at, Node) else at))

    def codebook(self, root: Node | None) -> dict[str, Any]:
        if root is None:
            self.problem(1, "the file is empty.",
                         "Start it with `name:` and a `codes:` list; see docs/codebook.md.")
            return {}
        if not isinstance(root, MappingNode):
            self.problem(root, "the top level must be a mapping with `name:` and `codes:`, "
                               f"not {_kind(root)}.",
                         "Start the file with `name: <codebook name>` and list the codes under `codes:`.")
            return {}
        fields = self.fields(root, TOP_KEYS, "the codebook")
        data: dict[str, Any] = {}
        if (name := self.name(fields, root, "the codebook", "Family support evaluation")) is not None:
            data["name"] = name
        if "version" in fields:
            node = fields["version"]
            version = _integer(node)
            written = node.value.strip() if isinstance(node, ScalarNode) else ""
            if version is None and written.isdigit():
                version = int(written)  # version: "1", quoted
            if version is not None and version >= 1:
                data["version"] = version
            elif written and not (_is(node, "bool") or _is(node, "null")):
                data["edition"] = written  # "1.2", "v2 spring": the authors' own label, kept as written
            else:
                self.problem(node, f"`version` must be a number or a label such as `1.2`, not {_kind(node)}.",
                             "Write e.g. `version: 1` or `version: \"2024 spring\"`.")
        if "codes" in fields:
            data["codes"] = self.codes(fields["codes"], "codes", "the codebook", self.alias(root, "codes"))
        else:
            self.problem(root, "the codebook has no `codes` list.",
                         "Add `codes:` with each code below it, starting `- id:`.")
        for code_id, lines in self.id_lines.items():
            if len(lines) > 1:
                self.problem(lines[1],
                             f"id '{code_id}' is used by {len(lines)} codes, on lines {_and(lines)}.",
                             "Give each code its own id: codings refer to codes by id alone.")
        return data

    def fields(self, node: MappingNode, allowed: tuple[str, ...], where: str) -> dict[str, Node]:
        """The value node of each allowed key; unknown, repeated and non-text keys are problems."""
        found: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        for key, value in node.value:
            if key.tag == _TAG + "merge":
                self.problem(key, f"merge keys (`<<`) are not supported in {where}.",
                             "Write the keys out in full.")
            elif not _is_text(key):
                self.problem(key, f"keys must be text, not {_kind(key)} (in {where}).",
                             f"Use one of: {', '.join(allowed)}.")
            elif key.value not in allowed:
                self.problem(key, *_unknown_key(key.value, allowed, where))
            elif key.value in found:
                self.problem(key, f"key '{key.value}' appears twice in {where}, on lines "
                                  f"{key_lines[key.value]} and {_line(key)}.", "Keep one of them.")
            else:
                found[key.value] = value
                key_lines[key.value] = _line(key)
        return found

    def codes(self, node: Node, key: str, where: str, via: Alias | None) -> list[dict[str, Any]]:
        if _is(node, "null"):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, f"`{key}` of {where} must be a list of codes, not {_kind(node)}.",
                         f"Put each code on its own line under `{key}:`, starting `- id:`.")
            return []
        codes = (self.code(item, self.alias(node, index) or via) for index, item in enumerate(node.value))
        return [code for code in codes if code is not None]

    def code(self, node: Node, via: Alias | None) -> dict[str, Any] | None:
        if not isinstance(node, MappingNode):
            self.problem(node, f"each code must be a mapping with `id:` and `name:`, not {_kind(node)}.",
                         "Write it as `- id: some_id` with `name: Some name` on the next line, under `id`.")
            return None
        where = _code_label(node)
        if id(node) in self.seen:
            self.reused(node, where, via)
            return None
        self.seen.add(id(node))
        fields = self.fields(node, CODE_KEYS, where)
        data: dict[str, Any] = {}
        if (code_id := self.code_id(fields, node, where)) is not None:
            data["id"] = code_id
        example = code_id.replace("_", " ").capitalize() if code_id else "Trust"
        if (name := self.name(fields, node, where, example)) is not None:
            data["name"] = name
        if "color" in fields and (colour := _hex_comment(fields["color"])):
            self.problem(fields["color"], f"`color` of {where} is empty: `#` starts a comment in YAML.",
                         f'Put the colour in quotes: `color: "{colour}"`.')
        for key in ("description", "color"):
            if key in fields and not _is(fields[key], "null"):
                value = self.text(fields[key], f"`{key}` of {where}", f"{key}: ")
                if value is not None:
                    data[key] = value
        for key in TEXT_LISTS:
            if key in fields and (items := self.text_list(fields[key], key, where)):
                data[key] = items
        if "children" in fields:
            self.ancestors.add(id(node))
            data["children"] = self.codes(fields["children"], "children", where,
                                          self.alias(node, "children") or via)
            self.ancestors.discard(id(node))
        return data

    def reused(self, node: MappingNode, where: str, via: Alias | None) -> None:
        """Report a code reached a second time, at the alias that reached it."""
        at, through = (via[1], f" through the alias `*{via[0]}` on line {via[1]}") if via else (node, "")
        if id(node) in self.ancestors:
            what, rule = "contains itself", "A code cannot be its own sub-code"
        else:
            what, rule = "is used a second time", "A code appears once in a codebook"
        self.problem(at, f"{where} (line {_line(node)}) {what}{through}.",
                     f"{rule}: remove the alias, or write a new code with its own id there.")

    def code_id(self, fields: dict[str, Node], code: MappingNode, where: str) -> str | None:
        node = fields.get("id")
        if node is None or _is(node, "null") or (_is_text(node) and not node.value.strip()):
            name = fields.get("name")
            suggestion = _slug(name.value) if name is not None and _is_text(name) else "short_name"
            self.problem(node or code, f"{where} has no id.",
                         f"Add `id: {suggestion}`: codings refer to it, so choose one that can stay.")
            return None
        code_id = self.text(node, f"the id of {where}", "id: ")
        if code_id is None:
            return None
        if not CODE_ID.fullmatch(code_id):
            self.problem(node, f"id '{code_id}' is not a valid id.",
                         f"Use lower case letters, digits and _ only, e.g. `id: {_slug(code_id)}`.")
            return None
        self.id_lines[code_id].append(_line(node))
        return code_id

    def name(self, fields: dict[str, Node], owner: MappingNode, where: str, example: str) -> str | None:
        node = fields.get("name")
        if node is None:
            self.problem(owner, f"{where} has no name.", f"Add `name: {example}`.")
        elif _is(node, "null") or (_is_text(node) and not node.value.strip()):
            self.problem(node, f"{where} has an empty name.",
                         f"Write the name people will read, e.g. `name: {example}`.")
        elif (problem := unprintable(node.value)) is not None:
            self.problem(node, f"the name of {where} holds {problem}.",
                         "Names must be printable text: retype it without that character.")
        else:
            return self.text(node, f"the name of {where}", "name: ")
        return None

    def text(self, node: Node, subject: str, written: str) -> str | None:
        """The text in `node`, or None after reporting that it is something else."""
        if _is_text(node):
            return node.value
        if isinstance(node, ScalarNode):
            fix = f'Put it in quotes: `{written}"{node.value}"`.'
        else:
            fix = ("Write it as one piece of text; for long text write `>-` after the key and indent "
                   "the lines below.")
        self.problem(node, f"{subject} must be text, not {_kind(node)}.", fix)
        return None

    def text_list(self, node: Node, key: str, where: str) -> list[str]:
        if _is(node, "null"):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, f"`{key}` of {where} must be a list of text, not {_kind(node)}.",
                         f"Put each item on its own line under `{key}:`, starting `- `.")
            return []
        items = []
        for number, item in enumerate(node.value, start=1):
            text = self.text(item, f"item {number} of `{key}` in {where}", "- ")
            if text is not None and not text.strip():
                self.problem(item, f"item {number} of `{key}` in {where} is empty.",
                             "Fill it in or delete it.")
            elif text is not None:
                items.append(text)
        return items

    def alias(self, parent: Node, position: int | str) -> Alias | None:
        return self.aliases.get((id(parent), position))


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key and a blank line between top-level codes, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def expect_block_sequence_item(self, first: bool = False) -> None:
        if (not first and not isinstance(self.event, yaml.SequenceEndEvent) and self.indent == 2
                and not self.open_ended):  # a `|+` block just written would take the empty line as its own
            # Only `codes` is a list at the top level. End the open line, if any, then leave one empty.
            if self.column:
                self.write_line_break()
            self.write_line_break()
        super().expect_block_sequence_item(first)

    def write_folded(self, text: str) -> None:
        # Prose wraps at FOLD_WIDTH; everything else stays on one line (dump_codebook sets no width).
        self.best_width = FOLD_WIDTH
        super().write_folded(text)
        self.best_width = _NO_WRAP


class _Folded(str):
    """Text to write folded (`>-`) when long: descriptions, which are prose."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if any(char in text for char in _UNICODE_BREAKS):
        style = '"'  # PyYAML writes these raw in other styles and reads them back as plain line breaks
    elif "\n" in text:
        style = "|"
    elif isinstance(text, _Folded) and len(text) > FOLD_WIDTH:
        style = ">"
    else:
        style = None  # the emitter picks plain or quoted, and quotes where needed
    return dumper.represent_scalar(_TAG + "str", str(text), style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_Folded, _represent_text)


def _code_data(code: Code) -> dict[str, Any]:
    data = code.model_dump(exclude_defaults=True, exclude={"children"})
    if "description" in data:
        data["description"] = _Folded(data["description"])
    if code.children:
        data["children"] = [_code_data(child) for child in code.children]
    return data


def _syntax_problem(error: yaml.reader.ReaderError | yaml.MarkedYAMLError, text: str) -> CodebookProblem:
    if isinstance(error, yaml.reader.ReaderError):
        return CodebookProblem(f"the text holds a character YAML does not allow (U+{error.character:04X}).",
                               "Delete it or retype the text around it.",
                               text.count("\n", 0, error.position) + 1)
    mark = error.problem_mark or error.context_mark
    said = ", ".join(part for part in (error.context, error.problem) if part)
    fix = next((fix for words, fix in _SYNTAX_FIXES.items() if words in said), _SYNTAX_FIX)
    return CodebookProblem(f"YAML syntax error: {said}.", fix, mark.line + 1 if mark else None)


def _unknown_key(key: str, allowed: tuple[str, ...], where: str) -> tuple[str, str]:
    close = difflib.get_close_matches(key.lower(), allowed, n=1)
    if close:
        return f"unknown key '{key}' (did you mean '{close[0]}'?) in {where}.", f"Rename it to '{close[0]}'."
    return f"unknown key '{key}' in {where}.", f"Remove it, or use one of: {', '.join(allowed)}."


def _code_label(node: MappingNode) -> str:
    """How messages name a code: by its id when it has a usable one, else by its line."""
    for key, value in node.value:
        if _is_text(key) and key.value == "id" and _is_text(value) and CODE_ID.fullmatch(value.value):
            return f"code '{value.value}'"
    return f"the code on line {_line(node)}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_") or "code"


def _hex_comment(node: Node) -> str | None:
    """The colour in `color: #1F77B4` written without quotes, which YAML reads as no value and a comment."""
    if not (_is(node, "null") and node.value == ""):
        return None
    match = _HEX_COMMENT.match(node.start_mark.buffer, node.start_mark.pointer)
    return match[1] if match else None


def _integer(node: Node) -> int | None:
    return SafeConstructor().construct_yaml_int(node) if _is(node, "int") else None


def _is(node: Node, kind: str) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + kind


def _is_text(node: Node) -> bool:
    return _is(node, "str")


def _kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    kind = _KINDS.get(node.tag.removeprefix(_TAG), f"a value tagged {node.tag}")
    return f"{kind} `{node.value}`" if node.value and kind != "text" else kind


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _and(numbers: list[int]) -> str:
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else f"{', '.join(text[:-1])} and {text[-1]}"
