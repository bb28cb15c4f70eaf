"""Why a state could join a contract, and the steps to join it: the wording, from the
facts the graph holds (the alliance, the lead state, the contract's pages).

The steps follow the NASPO ValuePoint pages cited in :data:`PA_SOURCE` and
:data:`SUBDIVISIONS_SOURCE`: a state uses a master agreement once its procurement
official signs a participating addendum; political subdivisions buy under the state's
addendum where it reaches them, or, with the state procurement official's approval,
sign their own.

Example:
    >>> option = join_option(JoinFacts("Guam", "NASPO ValuePoint", "NASPO ValuePoint",
    ...     "Cloud Solutions", "Utah", None, None))
    >>> option.reason.split(";")[0]
    'Guam is a member of NASPO ValuePoint, which awarded it'
"""

from __future__ import annotations

from dataclasses import dataclass

#: Who signs a participating addendum, and that one is needed.
PA_SOURCE = (
    "https://naspovaluepoint.org/faq/"
    "how-do-i-know-if-my-state-entity-is-eligible-to-use-a-naspo-valuepoint-contract"
)
#: What political subdivisions may do with and without a statewide addendum.
SUBDIVISIONS_SOURCE = "https://www.naspovaluepoint.org/faq/"


@dataclass(frozen=True)
class JoinFacts:
    """What the graph says about one contract a state could join."""

    state: str  # the state's name
    member_of: str  # the alliance the state belongs to
    awarded_by: str  # the alliance that awarded the contract (the same, or an arm of it)
    contract: str  # the contract's title
    lead_state: str | None  # the lead state's name
    lead_state_url: str | None
    portfolio_url: str | None


@dataclass(frozen=True)
class JoinStep:
    """One thing to do, with the page it rests on or points to."""

    text: str
    url: str | None


@dataclass(frozen=True)
class JoinOption:
    reason: str
    steps: tuple[JoinStep, ...]


def join_option(facts: JoinFacts) -> JoinOption:
    """The reason ``facts.state`` could join the contract and the steps to do it."""
    if facts.member_of == facts.awarded_by:
        via = f"{facts.member_of}, which awarded it"
    else:
        via = f"{facts.member_of}, whose arm {facts.awarded_by} awarded it"
    reason = (
        f"{facts.state} is a member of {via}; "
        f"{facts.state} has not signed a participating addendum."
    )
    steps = [
        JoinStep(
            f"{facts.state}'s chief procurement official decides whether the state takes part "
            "and signs a participating addendum with each awarded vendor to be used.",
            PA_SOURCE,
        ),
        JoinStep(
            f"Ask the lead state, {facts.lead_state}, about the master agreements and their terms."
            if facts.lead_state
            else "Ask the awarding alliance which state led the solicitation.",
            facts.lead_state_url,
        ),
        JoinStep(
            "Read the contract's portfolio page: vendors, documents and the states that signed.",
            facts.portfolio_url,
        ),
        JoinStep(
            "Political subdivisions (cities, counties, school districts): where the state's "
            "addendum reaches them they buy as from any state contract; where it does not, "
            "they may sign their own addendum if the state procurement official approves.",
            SUBDIVISIONS_SOURCE,
        ),
    ]
    return JoinOption(reason, tuple(steps))
