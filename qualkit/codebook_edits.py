"""Codebook edits as pure functions: each returns a new Codebook one version up and leaves its input alone.

Codings keep the codebook version they were made with, so an edit never rewrites what was coded. Merges
and splits also return how old ids map to new ones, so callers can carry codings forward.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from qualkit.errors import CodebookError, CodebookProblem
from qualkit.model.codebook import Code, Codebook

DEFINITION_FIELDS = ("description", "include", "exclude", "keywords", "examples", "color")
MERGED_FIELDS = ("include", "keywords", "examples")  # a merge target keeps its description, exclude, color
_OTHER_EDITS = {
    "id": "Ids never change, because codings refer to them: add a new code and merge the old one into it.",
    "name": "Use rename_code to change a name.",
    "children": "Use add_code, move_code or split_code to change sub-codes.",
}


def add_code(codebook: Codebook, code: Code, parent_id: str | None = None) -> Codebook:
    """`code`, with its children, added last at the top level or under `parent_id`."""
    draft = _draft(codebook)
    siblings = _children(draft, parent_id)
    _check_new_ids(codebook, [code])
    siblings.append(code.model_copy(deep=True))
    return _next_version(draft)


def rename_code(codebook: Codebook, code_id: str, new_name: str) -> Codebook:
    """Change the name people read; the id, which codings refer to, stays."""
    draft = _draft(codebook)
    code = _find(draft, code_id)
    if not new_name.strip():
        raise _refuse(f"the new name for code '{code_id}' is empty.", "Give it a name people will read.")
    code.name = new_name
    return _next_version(draft)


def edit_definition(codebook: Codebook, code_id: str, **fields: Any) -> Codebook:
    """Replace parts of what a code means: any of DEFINITION_FIELDS. Its id, name and place stay."""
    draft = _draft(codebook)
    code = _find(draft, code_id)
    _check_field_names(fields)
    try:
        checked = Code.model_validate({"id": code.id, "name": code.name, **fields})
    except ValidationError as error:
        raise CodebookError(*(_field_problem(code_id, e["loc"], e["msg"]) for e in error.errors())) from error
    for key in fields:
        setattr(code, key, getattr(checked, key))
    return _next_version(draft)


def move_code(codebook: Codebook, code_id: str, new_parent_id: str | None) -> Codebook:
    """`code_id`, with its children, moved last under `new_parent_id`, or to the top level with None."""
    draft = _draft(codebook)
    code = _find(draft, code_id)
    new_siblings = _children(draft, new_parent_id)
    if new_parent_id == code_id:
        raise _refuse(f"cannot move '{code_id}' under itself.", "Choose another code as its parent.")
    if new_parent_id in _subtree_ids(code):
        raise _refuse(f"cannot move '{code_id}' under '{new_parent_id}': '{new_parent_id}' is inside "
                      f"'{code_id}', so the code would contain itself.",
                      f"Choose a parent outside '{code_id}', or move '{new_parent_id}' out of it first.")
    new_siblings.append(_detach(draft, code_id))
    return _next_version(draft)


def merge_codes(codebook: Codebook, source_ids: str | Sequence[str],
                target_id: str) -> tuple[Codebook, dict[str, str]]:
    """Fold the source codes into `target_id`: they go, their children move to the target, and their
    include criteria, keywords and examples join the target's without repeats. The target keeps its
    description, exclude criteria and colour, which the merged codes' own would contradict.

    Returns the new codebook and {source id: target id}: the codings to move onto the target.
    """
    sources = list(dict.fromkeys([source_ids] if isinstance(source_ids, str) else source_ids))
    if not sources:
        raise _refuse("no codes to merge were given.", f"Name the codes to merge into '{target_id}'.")
    draft = _draft(codebook)
    known = {code.id for code in draft.flat()}
    unknown = [_unknown(draft, code_id) for code_id in [*sources, target_id] if code_id not in known]
    if unknown:
        raise CodebookError(*unknown)
    if target_id in sources:
        raise _refuse(f"cannot merge '{target_id}' into itself.",
                      "Leave the target out of the codes to merge.")
    target = draft.get(target_id)
    for source_id in sources:
        if target_id in _subtree_ids(draft.get(source_id)):
            raise _refuse(f"cannot merge '{source_id}' into '{target_id}', which is one of its sub-codes.",
                          f"Move '{target_id}' out of '{source_id}' first, or merge the other way round.")
    for source_id in sources:
        source = _detach(draft, source_id)
        target.children.extend(source.children)
        for key in MERGED_FIELDS:
            setattr(target, key, _union(getattr(target, key), getattr(source, key)))
    return _next_version(draft), dict.fromkeys(sources, target_id)


def split_code(codebook: Codebook, code_id: str,
               new_codes: Sequence[Code]) -> tuple[Codebook, dict[str, list[str]]]:
    """Split `code_id` into narrower codes, added as its children after any it already has.

    The original stays, as their parent, rather than being replaced: which narrower code each existing
    coding belongs to is a human judgement, so those codings stay valid on the parent until someone
    re-codes them. Returns the new codebook and {code_id: [new ids]}: the codes to offer when re-coding.
    """
    draft = _draft(codebook)
    code = _find(draft, code_id)
    if len(new_codes) < 2:
        raise _refuse(f"splitting '{code_id}' needs at least two new codes, not {len(new_codes)}.",
                      "To add a single sub-code, use add_code.")
    _check_new_ids(codebook, new_codes)
    code.children.extend(new.model_copy(deep=True) for new in new_codes)
    return _next_version(draft), {code_id: [new.id for new in new_codes]}


def remove_code(codebook: Codebook, code_id: str, *, with_children: bool = False) -> Codebook:
    """`code_id` removed. One with sub-codes goes only with `with_children=True` (they go too), so a slip
    cannot drop a branch. Codings on removed codes keep the earlier version they were made with."""
    draft = _draft(codebook)
    code = _find(draft, code_id)
    if code.children and not with_children:
        names = ", ".join(f"'{child.id}'" for child in code.children)
        raise _refuse(f"code '{code_id}' has sub-codes: {names}.",
                      "Move or remove them first, or remove them with it (with_children=True).")
    _detach(draft, code_id)
    return _next_version(draft)


def _draft(codebook: Codebook) -> Codebook:
    """A private deep copy to edit in place: the caller's codebook is never touched."""
    return codebook.model_copy(deep=True)


def _next_version(draft: Codebook) -> Codebook:
    """The edited draft as the next version; constructing it re-checks that ids are unique."""
    return Codebook(name=draft.name, version=draft.version + 1, codes=draft.codes)


def _find(codebook: Codebook, code_id: str) -> Code:
    try:
        return codebook.get(code_id)
    except KeyError:
        raise CodebookError(_unknown(codebook, code_id)) from None


def _children(codebook: Codebook, parent_id: str | None) -> list[Code]:
    return codebook.codes if parent_id is None else _find(codebook, parent_id).children


def _detach(codebook: Codebook, code_id: str) -> Code:
    siblings = _children(codebook, codebook.parent_of()[code_id])
    return siblings.pop(next(i for i, code in enumerate(siblings) if code.id == code_id))


def _subtree(code: Code) -> Iterator[Code]:
    yield code
    for child in code.children:
        yield from _subtree(child)


def _subtree_ids(code: Code) -> set[str]:
    return {each.id for each in _subtree(code)}


def _check_new_ids(codebook: Codebook, new_codes: Sequence[Code]) -> None:
    """Refuse new codes (or their sub-codes) whose ids the codebook or another new code already uses."""
    existing = {code.id: code.name for code in codebook.flat()}
    problems, seen = [], set()
    for code in (each for new in new_codes for each in _subtree(new)):
        if code.id in existing:
            problems.append(CodebookProblem(f"id '{code.id}' is already used by '{existing[code.id]}'.",
                                            "Choose another id: each id is unique in a codebook."))
        elif code.id in seen:
            problems.append(CodebookProblem(f"id '{code.id}' is given to more than one new code.",
                                            "Give each new code its own id."))
        seen.add(code.id)
    if problems:
        raise CodebookError(*problems)


def _check_field_names(fields: dict[str, Any]) -> None:
    if not fields:
        raise _refuse("no part of the definition to change was given.",
                      f"Pass one or more of: {', '.join(DEFINITION_FIELDS)}.")
    problems = []
    for key in fields.keys() - set(DEFINITION_FIELDS):
        close = difflib.get_close_matches(key, DEFINITION_FIELDS, n=1)
        fix = _OTHER_EDITS.get(key) or (f"Use '{close[0]}'." if close
                                        else f"Use one of: {', '.join(DEFINITION_FIELDS)}.")
        problems.append(CodebookProblem(f"'{key}' is not part of a code's definition.", fix))
    if problems:
        raise CodebookError(*problems)


def _field_problem(code_id: str, loc: tuple[int | str, ...], message: str) -> CodebookProblem:
    key = str(loc[0])
    place = f"item {int(loc[1]) + 1} of `{key}`" if len(loc) > 1 else f"`{key}`"
    if key == "description":
        fix = "Give the description as text."
    elif key == "color":
        fix = "Give a colour as text, such as '#1F77B4', or None for none."
    else:
        fix = f"Give a list of non-empty texts, e.g. {key}=['first', 'second']."
    return CodebookProblem(f"{place} for code '{code_id}' is not valid: "
                           f"{message.removeprefix('Value error, ')}.", fix)


def _union(first: list[str], second: list[str]) -> list[str]:
    """`first` then the items of `second` it lacks, compared ignoring case and outer spaces."""
    seen = {item.strip().casefold() for item in first}
    merged = list(first)
    for item in second:
        if item.strip().casefold() not in seen:
            merged.append(item)
            seen.add(item.strip().casefold())
    return merged


def _unknown(codebook: Codebook, code_id: str) -> CodebookProblem:
    codes = codebook.flat()
    named = [code.id for code in codes if code.name.casefold() == code_id.casefold()]
    close = list(dict.fromkeys(named + difflib.get_close_matches(code_id, [code.id for code in codes], n=3)))
    what = f"no code with id '{code_id}' in '{codebook.name}'"
    if close:
        return CodebookProblem(f"{what} (did you mean {_or(close)}?).",
                               "Use the code's id exactly as the codebook writes it.")
    return CodebookProblem(f"{what}.", "Check the id against the codebook: ids are lower case with _, "
                                       "not the names people read.")


def _refuse(what: str, fix: str) -> CodebookError:
    return CodebookError(CodebookProblem(what, fix))


def _or(ids: list[str]) -> str:
    quoted = [f"'{code_id}'" for code_id in ids]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
