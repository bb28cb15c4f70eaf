"""The load of bench/load/run.py: reader and writer clients, each a thread with its own
HTTP connection, all against one ``kb serve`` on 127.0.0.1 and all bounded by a deadline.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

SEARCHES = (
    "cooperative contract",
    "bid protest",
    "piggyback on another state's contract",
    "participating addendum",
    "software licensing",
    "how do I handle a protst?",
    "emergency purchasing",
    "vehicles",
    "naspo",
    "sole source justification",
    "cloud services",
    "training",
    "fuel cards",
    "vendor performance",
    "*",
    "",
)

SEARCH = """query($q: String!, $first: Int!, $kinds: [String!]) {
  search(query: $q, first: $first, where: {kinds: $kinds}) {
    totalCount suggestion
    hits { kind key title score highlights { field fragments } }
    facets { kind { value count } state { value count } year { value count } } } }"""

RELATED_PRACTICE = """query($slug: String!) { practice(slug: $slug) { title
  relatedItems(first: 8) { kind key title score } } }"""

RELATED_LESSON = """query($id: String!) { lesson(id: $id) { title
  relatedItems(first: 8) { kind key title score } } }"""

LISTINGS = (
    "query($first: Int) { practices(first: $first) { totalCount nodes { slug title } } }",
    "query($first: Int) { lessons(first: $first) { totalCount nodes { key title } } }",
    "query($first: Int) { contracts(first: $first) { totalCount nodes { slug title } } }",
    "query($first: Int) { states(first: $first) { totalCount nodes { code name } } }",
)

CREATE = """mutation($input: CreateLessonInput!) { createLesson(input: $input) {
  lesson { id key } } }"""
UPDATE = """mutation($input: UpdateLessonInput!) { updateLesson(input: $input) {
  lesson { key title } } }"""
DELETE = """mutation($input: DeleteInput!) { deleteLesson(input: $input) { deletedId } }"""


@dataclass
class Tally:
    """Requests and failures of one client (merged into the phase's totals)."""

    requests: int = 0
    failures: int = 0
    latencies: list[float] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def record(self, started: float, ok: bool, what: str) -> None:
        self.requests += 1
        self.latencies.append(time.perf_counter() - started)
        if not ok:
            self.failures += 1
            if len(self.examples) < 3:
                self.examples.append(what[:300])


@dataclass(frozen=True)
class Catalogue:
    """Keys the readers pick from (read from the server before the load)."""

    practices: tuple[str, ...]
    lessons: tuple[str, ...]
    states: tuple[str, ...]


def graphql(client: httpx.Client, query: str, variables: dict[str, Any]) -> tuple[bool, str]:
    """POST one GraphQL request; ok when the status is 200 and there are no errors."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    if response.status_code != 200:
        return False, f"{response.status_code}: {response.text}"
    body = response.json()
    return "errors" not in body, response.text


def catalogue(base: str) -> Catalogue:
    """The practices, lessons and states of the seeded graph."""
    with httpx.Client(base_url=base, timeout=30) as client:
        query = """{ practices(first: 100) { nodes { slug } } lessons(first: 100) { nodes { key } }
                     states(first: 100) { nodes { code } } }"""
        data = client.post("/graphql", json={"query": query}).json()["data"]
    return Catalogue(
        tuple(n["slug"] for n in data["practices"]["nodes"]),
        tuple(n["key"] for n in data["lessons"]["nodes"]),
        tuple(n["code"] for n in data["states"]["nodes"]),
    )


def read_once(client: httpx.Client, rng: random.Random, keys: Catalogue) -> tuple[bool, str]:
    """One reader request: a search, related items, a listing or an HTML page."""
    pick = rng.random()
    if pick < 0.40:
        kinds = rng.choice([None, ["lesson"], ["practice"], ["practice", "lesson"]])
        variables = {"q": rng.choice(SEARCHES), "first": rng.randint(1, 20), "kinds": kinds}
        return graphql(client, SEARCH, variables)
    if pick < 0.55:
        return graphql(client, RELATED_PRACTICE, {"slug": rng.choice(keys.practices)})
    if pick < 0.65:
        return graphql(client, RELATED_LESSON, {"id": rng.choice(keys.lessons)})
    if pick < 0.80:
        return graphql(client, rng.choice(LISTINGS), {"first": rng.randint(5, 50)})
    path = rng.choice(
        [
            f"/practices/{rng.choice(keys.practices)}",
            f"/lessons/{rng.choice(keys.lessons)}",
            f"/states/{rng.choice(keys.states)}",
            f"/?q={rng.choice(SEARCHES[:12]).replace(' ', '+')}",
            "/practices",
        ]
    )
    response = client.get(path)
    return response.status_code == 200, f"GET {path}: {response.status_code}"


def reader(base: str, keys: Catalogue, seed: int, deadline: float, tally: Tally) -> None:
    """Read until ``deadline`` (time.monotonic)."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                ok, text = read_once(client, rng, keys)
            except httpx.HTTPError as error:
                ok, text = False, repr(error)
            tally.record(started, ok, text)


def writer(base: str, token: str, state_id: str, deadline: float, tally: Tally) -> None:
    """Create, update and delete lessons until ``deadline``: every write is a change entry
    the server's indexer applies to Whoosh (one commit each)."""
    headers = {"Authorization": f"Bearer {token}"}
    number = 0
    with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
        while time.monotonic() < deadline:
            number += 1
            key = f"L-{900000 + number}"
            lesson = {
                "key": key,
                "title": f"Load test lesson {number} about cooperative contracts",
                "context": "Written by the load benchmark.",
                "lesson": f"Bench lesson {number}: piggyback purchasing needs an addendum.",
                "recommendation": "Delete me.",
                "status": "OBSERVATION",
                "state": state_id,
                "illustrative": True,
            }
            started = time.perf_counter()
            try:
                ok, text = graphql(client, CREATE, {"input": lesson})
                tally.record(started, ok, text)
                if not ok:
                    continue
                node_id = json.loads(text)["data"]["createLesson"]["lesson"]["id"]
                started = time.perf_counter()
                title = f"Load test lesson {number}, revised"
                ok, text = graphql(client, UPDATE, {"input": {"id": node_id, "title": title}})
                tally.record(started, ok, text)
                started = time.perf_counter()
                ok, text = graphql(client, DELETE, {"input": {"id": node_id}})
                tally.record(started, ok, text)
            except httpx.HTTPError as error:
                tally.record(started, False, repr(error))


def run_load(
    base: str, keys: Catalogue, token: str, state_id: str, readers: int, seconds: float
) -> tuple[Tally, Tally]:
    """``readers`` reader threads and one writer for ``seconds``; (reads, writes) tallies."""
    deadline = time.monotonic() + seconds
    read_tallies = [Tally() for _ in range(readers)]
    write_tally = Tally()
    threads = [
        threading.Thread(target=reader, args=(base, keys, n, deadline, read_tallies[n]))
        for n in range(readers)
    ]
    threads.append(
        threading.Thread(target=writer, args=(base, token, state_id, deadline, write_tally))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    reads = Tally()
    for tally in read_tallies:
        reads.requests += tally.requests
        reads.failures += tally.failures
        reads.latencies += tally.latencies
        reads.examples += tally.examples[: max(0, 3 - len(reads.examples))]
    return reads, write_tally
