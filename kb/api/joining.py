"""``State.couldJoin``: the contracts a state could join, each with the reason it is
listed and the steps to join it (wording in :mod:`kb.domain.joining`).

Example:
    >>> # { state(code: "GU") { couldJoin(openTo: POLITICAL_SUBDIVISIONS) {
    >>> #     contract { slug } reason steps { text url } } } }
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kb.api.context import Context
from kb.api.enums import EntityType
from kb.api.nodes import Node, node_as
from kb.domain.joining import join_option
from kb.graph.reads import join_facts
from kb.graph.records import NodeRecord

if TYPE_CHECKING:
    from kb.api.types import Contract

Info = strawberry.Info[Context, None]


@strawberry.type(description="One thing to do to join a contract, with its page.")
class JoinStep:
    text: str
    url: str | None


@strawberry.type(description="A contract a state could join: why it is listed, how to join.")
class JoinOption:
    contract: Annotated[Contract, strawberry.lazy("kb.api.types")]
    reason: str
    steps: list[JoinStep]


def _contract(record: NodeRecord) -> Contract:
    from kb.api.types import Contract

    return node_as(Contract, record)


def could_join_field() -> Any:
    """The ``couldJoin(openTo:)`` field of State."""

    async def resolve(
        root: Node,
        info: Info,
        open_to: Annotated[
            EntityType | None,
            strawberry.argument(description="Only contracts open to this entity type."),
        ] = None,
    ) -> list[JoinOption]:
        found = await info.context.run(
            join_facts, info.context.graph, root.key, open_to.value if open_to else None
        )
        options = []
        for record, facts in found:
            option = join_option(facts)
            steps = [JoinStep(text=s.text, url=s.url) for s in option.steps]
            options.append(
                JoinOption(contract=_contract(record), reason=option.reason, steps=steps)
            )
        return options

    return strawberry.field(
        resolver=resolve,
        description="Contracts the state could join (as eligibleContracts), each with the "
        "reason it is listed and the steps to join: who signs the participating addendum, "
        "whom to ask at the lead state, the portfolio page, what political subdivisions do.",
    )
