"""Who may run which mutation: one rule per field of the root ``Mutation``.

Readers read. Editors write the knowledge (practices, lessons, curricula and the links
of practices and lessons) and delete only what they created themselves (the node's
``createdBy``, the author the change log records). Admins alone write or delete the
reference data (states, alliances, contracts, categories, certifications, memberships
and participations), delete anything, and detach a node others depend on. Tokens are
managed with ``kb token``, by whoever runs the command against the graph: an operator.

A mutation field without a rule here is refused for everyone (and fails
``tests/api/test_roles.py``), so a new mutation cannot slip in open.

Example:
    >>> RULES["deleteAlliance"]
    Rule(role='admin', own=False)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """The least ``role`` a mutation needs; with ``own``, a viewer below admin may run
    it only on a record it created (admins on any)."""

    role: str
    own: bool = False


EDITOR = Rule("editor")
EDITOR_OWN = Rule("editor", own=True)
ADMIN = Rule("admin")

RULES: dict[str, Rule] = {
    # knowledge: practices and lessons
    "createPractice": EDITOR, "updatePractice": EDITOR, "deletePractice": EDITOR_OWN,
    "createLesson": EDITOR, "updateLesson": EDITOR, "deleteLesson": EDITOR_OWN,
    "linkPractice": EDITOR, "unlinkPractice": EDITOR,
    "linkLesson": EDITOR, "unlinkLesson": EDITOR,
    # curricula
    "createCurriculum": EDITOR, "updateCurriculum": EDITOR, "deleteCurriculum": EDITOR_OWN,
    "addModule": EDITOR, "updateModule": EDITOR, "moveModule": EDITOR,
    "removeModule": EDITOR, "addItem": EDITOR, "moveItem": EDITOR, "removeItem": EDITOR,
    "addPrerequisite": EDITOR,
    # reference data
    "createContract": ADMIN, "updateContract": ADMIN, "deleteContract": ADMIN,
    "createAlliance": ADMIN, "updateAlliance": ADMIN, "deleteAlliance": ADMIN,
    "createCategory": ADMIN, "updateCategory": ADMIN, "deleteCategory": ADMIN,
    "setMembership": ADMIN, "removeMembership": ADMIN,
    "setParticipation": ADMIN, "removeParticipation": ADMIN,
    # webhooks (kb/api/webhooks.py): other applications' endpoints and their secrets
    "registerWebhook": ADMIN, "updateWebhook": ADMIN, "deleteWebhook": ADMIN,
    "replayDelivery": ADMIN, "replayWebhook": ADMIN,
}  # fmt: skip


def rule_of(field: str) -> Rule | None:
    """The rule of the mutation field ``field`` (camelCase), or None when it has none."""
    return RULES.get(field)
