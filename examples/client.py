"""A small client of the knowledge-base API, using the ``gql`` package.

Run the service (``kb serve``), then::

    python examples/client.py                        # what Utah could join, and more
    KB_TOKEN=kb_... python examples/client.py --write  # also records a lesson (editor)

``KB_URL`` points elsewhere (default http://127.0.0.1:8000/graphql). Written for gql 4
(requests carry their variables: ``GraphQLRequest(document, variable_values=...)``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXTransport

ELIGIBLE = gql("""
query Eligible($code: String!) {
  state(code: $code) {
    name
    eligibleContracts(first: 10, orderBy: TITLE_ASC) {
      totalCount
      nodes { slug title status alliance { name } }
    }
  }
}
""")

LESSONS = gql("""
query Lessons($category: String!, $after: String) {
  lessons(first: 5, after: $after, where: {category: $category}, orderBy: RECORDED_ON_DESC) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { key title recordedOn state { code } }
  }
}
""")

RECORD = gql("""
mutation Record($input: CreateLessonInput!) {
  createLesson(input: $input) { lesson { id key title createdBy } }
}
""")


def client(token: str | None = None) -> Client:
    """A client for ``KB_URL``, sending ``token`` as a bearer token when given."""
    url = os.environ.get("KB_URL", "http://127.0.0.1:8000/graphql")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(
        transport=HTTPXTransport(url=url, headers=headers), fetch_schema_from_transport=False
    )


def eligible_contracts(session: Any, code: str) -> list[dict[str, Any]]:
    """The contracts the state could join (one page)."""
    result = session.execute(GraphQLRequest(ELIGIBLE, variable_values={"code": code}))
    return list(result["state"]["eligibleContracts"]["nodes"])


def all_lessons(session: Any, category: str) -> list[dict[str, Any]]:
    """Every lesson about a category, page after page."""
    lessons: list[dict[str, Any]] = []
    after = None
    while True:
        request = GraphQLRequest(LESSONS, variable_values={"category": category, "after": after})
        page = session.execute(request)["lessons"]
        lessons += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return lessons
        after = page["pageInfo"]["endCursor"]


def main(argv: list[str]) -> None:
    token = os.environ.get("KB_TOKEN")
    with client(token) as session:
        for contract in eligible_contracts(session, "UT"):
            alliance = contract["alliance"]["name"]
            print(f"UT could join {contract['slug']}: {contract['title']} ({alliance})")
        for lesson in all_lessons(session, "IT"):
            state = lesson["state"]["code"]
            print(f"{lesson['key']} {lesson['recordedOn']} {state}: {lesson['title']}")
        if "--write" in argv:
            state_id = "U3RhdGU6VVQ="  # the global ID of State UT: base64("State:UT")
            lesson = {
                "key": "L-9001",
                "title": "Example lesson from the client",
                "lesson": "It works.",
                "status": "OBSERVATION",
                "state": state_id,
                "illustrative": True,
            }
            request = GraphQLRequest(RECORD, variable_values={"input": lesson})
            print(session.execute(request))


if __name__ == "__main__":
    main(sys.argv[1:])
