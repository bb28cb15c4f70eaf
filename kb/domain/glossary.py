"""The glossary of the trade (``glossary.yaml``): terms, their phrases, definitions and
sources, read and checked once.

It is the one source of search vocabulary (``kb.search.synonyms`` compiles its search
groups) and the data behind the ``glossary`` / ``term(name:)`` API and the /glossary
pages. A file with a duplicate or empty term, a missing definition or source, or a
source that is not an http(s) address is refused with :class:`GlossaryError`, whose
message names the file and the line.

Example:
    >>> glossary = default_glossary()
    >>> glossary.find("ma").expansion
    'master agreement'
    >>> [t.name for t in glossary.group_members(glossary.find("MA"))]
    ['MA', 'MPA', 'MSA']
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kb.domain.patterns import is_web_address

GLOSSARY_FILE = Path(__file__).with_name("glossary.yaml")

#: Longest definition accepted: one line a reader takes in at a glance.
MAX_DEFINITION = 320


class GlossaryKind(enum.Enum):
    """What part of the trade a term belongs to (``kind:`` in the file, lower case)."""

    SOLICITATION = "solicitation"
    EVALUATION = "evaluation"
    CONTRACTING = "contracting"
    COOPERATIVE = "cooperative"
    PURCHASING = "purchasing"
    ADMINISTRATION = "administration"
    INTEGRITY = "integrity"
    ORGANIZATION = "organization"
    GOODS = "goods"
    SPELLING = "spelling"


class GlossaryError(ValueError):
    """The glossary file cannot be used; the message is ``file:line: what is wrong``."""


def normalise(text: str) -> str:
    """``text`` as the glossary compares names and phrases: case-folded, single-spaced."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Term:
    """One entry of the glossary.

    ``phrases`` (the name, the expansion, then ``also_known_as``) are what search treats
    as one thing; ``searched_with`` names the term whose search group this one joins;
    ``name_also_means`` are other readings of the bare name (matched one way only).
    """

    name: str
    expansion: str
    kind: GlossaryKind
    definition: str
    source: str
    also_known_as: tuple[str, ...] = ()
    searched_with: str | None = None
    name_also_means: tuple[str, ...] = ()
    line: int = 0

    @property
    def phrases(self) -> tuple[str, ...]:
        """Name, expansion and other names, without repeats (case aside)."""
        seen: dict[str, str] = {}
        for phrase in (self.name, self.expansion, *self.also_known_as):
            seen.setdefault(normalise(phrase), phrase)
        return tuple(seen.values())

    def answers_to(self, text: str) -> bool:
        """Whether ``text`` is this term's name or one of its phrases (case aside)."""
        wanted = normalise(text)
        return any(normalise(phrase) == wanted for phrase in self.phrases)

    @property
    def sort_key(self) -> str:
        return normalise(self.name)


@dataclass(frozen=True)
class Glossary:
    """The terms of one glossary file, alphabetical by name."""

    terms: tuple[Term, ...]
    path: Path | None = None
    _by_name: dict[str, Term] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({normalise(t.name): t for t in self.terms})

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def find(self, text: str) -> Term | None:
        """The term named ``text``, else the term one of whose phrases is ``text``."""
        wanted = normalise(text)
        if not wanted:
            return None
        named = self._by_name.get(wanted)
        if named is not None:
            return named
        return next((t for t in self.terms if t.answers_to(wanted)), None)

    def root(self, term: Term) -> Term:
        """The term whose search group ``term`` belongs to (itself, or its ``searched_with``)."""
        if term.searched_with is None:
            return term
        return self._by_name[normalise(term.searched_with)]

    def group_members(self, term: Term) -> tuple[Term, ...]:
        """The terms searched together with ``term``, its group's root first."""
        root = self.root(term)
        joined = (t for t in self.terms if t is not root and self.root(t) is root)
        return (root, *joined)

    def search_groups(self) -> Iterator[tuple[Term, tuple[str, ...]]]:
        """Each search group: its root term and the phrases of all its members."""
        for term in self.terms:
            if term.searched_with is None:
                members = self.group_members(term)
                yield term, tuple(p for member in members for p in member.phrases)


# -- reading and checking -------------------------------------------------------------

_FIELDS = {
    "term",
    "expansion",
    "kind",
    "also_known_as",
    "searched_with",
    "name_also_means",
    "definition",
    "source",
}
_REQUIRED = ("term", "expansion", "kind", "definition", "source")
_LISTS = {"also_known_as", "name_also_means"}


class _Reader:
    """Turns the composed YAML nodes into terms, collecting errors with their lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []

    def error(self, node: Node, message: str) -> None:
        self.errors.append(f"{self.path}:{node.start_mark.line + 1}: {message}")

    def text(self, node: Node, name: str, what: str) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            self.error(node, f"{what}: '{name}' must be text, not {_shape(node)}")
            return None
        value = " ".join(str(node.value).split())
        if not value:
            self.error(node, f"{what}: '{name}' is empty; expected text")
            return None
        return value

    def texts(self, node: Node, name: str, what: str) -> tuple[str, ...]:
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what}: '{name}' must be a list of phrases, not {_shape(node)}")
            return ()
        values = (self.text(item, name, what) for item in node.value)
        return tuple(v for v in values if v is not None)

    def term(self, node: Node, number: int) -> Term | None:
        if not isinstance(node, MappingNode):
            self.error(node, f"entry {number}: expected a mapping with term:, not {_shape(node)}")
            return None
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in _FIELDS:
                allowed = ", ".join(sorted(_FIELDS))
                self.error(key_node, f"entry {number}: unknown field '{key}'; expected {allowed}")
            elif key in fields:
                self.error(key_node, f"entry {number}: field '{key}' is given twice")
            else:
                fields[key] = value_node
        name_node = fields.get("term")
        what = f"entry {number}"
        name = self.text(name_node, "term", what) if name_node is not None else None
        if name is not None:
            what = f"term '{name}'"
        for key in _REQUIRED:
            if key not in fields:
                self.error(node, f"{what}: '{key}' is missing")
        values: dict[str, str | None] = {}
        for key in ("expansion", "kind", "definition", "source", "searched_with"):
            if key in fields:
                values[key] = self.text(fields[key], key, what)
        lists = {key: self.texts(fields[key], key, what) for key in _LISTS if key in fields}
        kind = self.kind(fields.get("kind"), values.get("kind"), what)
        self.check_definition(fields.get("definition"), values.get("definition"), what)
        self.check_source(fields.get("source"), values.get("source"), what)
        if name is None or kind is None or any(values.get(k) is None for k in _REQUIRED[1:]):
            return None
        return Term(
            name=name,
            expansion=values["expansion"] or "",
            kind=kind,
            definition=values["definition"] or "",
            source=values["source"] or "",
            also_known_as=lists.get("also_known_as", ()),
            searched_with=values.get("searched_with"),
            name_also_means=lists.get("name_also_means", ()),
            line=node.start_mark.line + 1,
        )

    def kind(self, node: Node | None, value: str | None, what: str) -> GlossaryKind | None:
        if node is None or value is None:
            return None
        try:
            return GlossaryKind(value.lower())
        except ValueError:
            kinds = ", ".join(k.value for k in GlossaryKind)
            self.error(node, f"{what}: kind '{value}' is not one of {kinds}")
            return None

    def check_definition(self, node: Node | None, value: str | None, what: str) -> None:
        if node is not None and value is not None and len(value) > MAX_DEFINITION:
            self.error(
                node,
                f"{what}: definition is {len(value)} characters; at most {MAX_DEFINITION} "
                "(one line)",
            )

    def check_source(self, node: Node | None, value: str | None, what: str) -> None:
        if node is None or value is None:
            return
        if not is_web_address(value):
            self.error(
                node,
                f"{what}: source '{value}' is not a web address; expected http(s)://host/path",
            )


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "empty"
    return f"'{node.value}'"


def _check_across(reader: _Reader, terms: list[Term], nodes: dict[int, Node]) -> None:
    """Rules between entries: unique names, phrases in one term only, valid groups."""
    names: dict[str, Term] = {}
    for term in terms:
        first = names.setdefault(normalise(term.name), term)
        if first is not term:
            reader.error(
                nodes[id(term)],
                f"term '{term.name}' is a duplicate of '{first.name}' (line {first.line})",
            )
    owners: dict[str, Term] = {}
    for term in terms:
        for phrase in term.phrases:
            owner = owners.setdefault(normalise(phrase), term)
            if owner is not term and normalise(owner.name) != normalise(term.name):
                reader.error(
                    nodes[id(term)],
                    f"term '{term.name}': phrase '{phrase}' already belongs to "
                    f"'{owner.name}' (line {owner.line}); a phrase names one term",
                )
    for term in terms:
        if term.searched_with is None:
            continue
        target = names.get(normalise(term.searched_with))
        if target is None:
            reader.error(
                nodes[id(term)],
                f"term '{term.name}': searched_with '{term.searched_with}' is not a term "
                "of this glossary",
            )
        elif target is term:
            reader.error(nodes[id(term)], f"term '{term.name}' cannot be searched_with itself")
        elif target.searched_with is not None:
            reader.error(
                nodes[id(term)],
                f"term '{term.name}': searched_with '{target.name}', which is itself "
                f"searched_with '{target.searched_with}'; name the group's first term",
            )


def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    """Read and check a glossary file; :class:`GlossaryError` lists every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise GlossaryError(f"{path}: cannot be read ({error.strerror or error})") from error
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise GlossaryError(f"{where}: {problem}") from error
    reader = _Reader(path)
    entries = _entries(reader, root)
    terms: list[Term] = []
    nodes: dict[int, Node] = {}
    for number, node in enumerate(entries, start=1):
        term = reader.term(node, number)
        if term is not None:
            terms.append(term)
            nodes[id(term)] = node
    _check_across(reader, terms, nodes)
    if not reader.errors and not terms:
        reader.errors.append(f"{path}:1: the glossary has no terms")
    if reader.errors:
        raise GlossaryError("\n".join(reader.errors))
    return Glossary(tuple(sorted(terms, key=lambda t: t.sort_key)), path)


def _entries(reader: _Reader, root: Node | None) -> list[Node]:
    if root is None:
        reader.errors.append(f"{reader.path}:1: the file is empty; expected 'terms:'")
        return []
    if not isinstance(root, MappingNode):
        reader.error(root, f"expected a mapping with 'terms:', not {_shape(root)}")
        return []
    for key_node, value_node in root.value:
        if key_node.value == "terms":
            if isinstance(value_node, SequenceNode):
                return list(value_node.value)
            reader.error(value_node, f"'terms' must be a list of entries, not {_shape(value_node)}")
            return []
    reader.error(root, "'terms:' is missing")
    return []


@cache
def default_glossary() -> Glossary:
    """The glossary shipped with the package, read and checked once per process."""
    return load_glossary(GLOSSARY_FILE)
