"""Statuses from the words of the texts: the ordered rules of tools/catalog/status_rules.toml.

A catalogue feature gives `status_basis`, the shortest verbatim phrase of its source text that
gives the item's stage; `status_of` maps the phrase to a status with the first rule that matches.
The build and the data tests (tests/geodata/test_status.py) both read the rules from here, so a
rule is changed in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import catalog

RULES_FILE = "status_rules.toml"
# A source text is named by its file name in `source` (e.g. "004_2465fec52345bd8c.txt 专栏3-1").
TEXT_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rule:
    id: str
    status: str
    pattern: re.Pattern
    reading: str


def squeeze(text: str) -> str:
    """The text without whitespace: a phrase is compared with the texts ignoring line breaks and spaces."""
    return _WHITESPACE.sub("", text)


def load_rules() -> list[Rule]:
    rules = []
    for r in catalog.load(RULES_FILE)["rule"]:
        if r["status"] not in catalog.STATUSES - {"unknown"}:
            raise ValueError(f"status rule {r['id']}: bad status {r['status']!r}")
        rules.append(Rule(r["id"], r["status"], re.compile(r["pattern"]), r["reading"]))
    return rules


def match(basis: str, rules: list[Rule]) -> Rule:
    """The first rule whose pattern occurs in the phrase (whitespace removed)."""
    phrase = squeeze(basis)
    for rule in rules:
        if rule.pattern.search(phrase):
            return rule
    raise ValueError(f"no status rule reads the phrase 「{basis}」 (tools/catalog/{RULES_FILE})")


def status_of(basis: str, rules: list[Rule]) -> str:
    return match(basis, rules).status


def texts_named(source: str) -> list[str]:
    """The source-text file names a feature's `source` names, in order, without repeats."""
    return list(dict.fromkeys(TEXT_NAME.findall(source)))


def occurs_in_texts(basis: str, source: str, seeds: Path) -> list[str]:
    """The texts named by `source` (read from `seeds`) that hold the phrase verbatim, whitespace ignored."""
    phrase = squeeze(basis)
    return [name for name in texts_named(source)
            if phrase in squeeze((seeds / name).read_text(encoding="utf-8"))]
