"""Codebooks: the user's codes with definitions, criteria, keywords and examples (pure data)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qualkit.model.names import printable_or_error

CODE_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class Code(BaseModel):
    """One code. `id` is a stable slug that codings refer to; `name` is what people read."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    description: str = ""
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    color: str | None = None
    children: list[Code] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not CODE_ID.fullmatch(value):  # `$` alone would let a trailing newline through
            raise ValueError(f"code id '{value}' must be lower case letters, digits and _ (e.g. 'good_cop')")
        return value

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("code name is empty")
        return printable_or_error(value, "code name")

    @field_validator("include", "exclude", "keywords", "examples")
    @classmethod
    def _no_blank_items(cls, items: list[str]) -> list[str]:
        # A blank keyword would match every segment; a blank criterion or example says nothing.
        if any(not item.strip() for item in items):
            raise ValueError("list items must not be empty")
        return items


class Codebook(BaseModel):
    """A named, versioned tree of codes."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: int = Field(1, ge=1)  # qualkit's own count: each stored change is the next version
    # The version as the codebook's authors write it when it is not a whole number ("1.2", "v2 spring"):
    # kept as written, beside qualkit's count.
    edition: str | None = Field(None, max_length=100)
    codes: list[Code] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("codebook name is empty")
        return printable_or_error(value, "codebook name")

    @field_validator("edition")
    @classmethod
    def _edition(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return printable_or_error(value.strip(), "codebook version")

    @model_validator(mode="after")
    def _unique_ids(self) -> Codebook:
        # Codings refer to codes by id alone, so one id must mean one code anywhere in the tree.
        counts = Counter(code.id for code in self.flat())
        repeated = sorted(code_id for code_id, n in counts.items() if n > 1)
        if repeated:
            raise ValueError(f"code ids used more than once: {', '.join(repeated)}")
        return self

    def walk(self) -> Iterator[tuple[Code, str | None, int]]:
        """Every code depth-first with its parent's id and its depth (0 = top level)."""
        stack: list[tuple[Code, str | None, int]] = [(c, None, 0) for c in reversed(self.codes)]
        while stack:
            code, parent, depth = stack.pop()
            yield code, parent, depth
            stack.extend((child, code.id, depth + 1) for child in reversed(code.children))

    def flat(self) -> list[Code]:
        """All codes, parents before children; each is a codable code."""
        return [code for code, _, _ in self.walk()]

    def get(self, code_id: str) -> Code:
        for code in self.flat():
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def parent_of(self) -> dict[str, str | None]:
        return {code.id: parent for code, parent, _ in self.walk()}
