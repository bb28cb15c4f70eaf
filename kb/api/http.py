"""GraphQL over HTTP (the graphql-over-http specification), at ``/graphql``.

- POST with ``Content-Type: application/json`` (one request object: no batching);
  any other body type (or a charset other than UTF-8) gets 415, a body over
  :data:`MAX_BODY` bytes gets 413. JSON that the stack cannot take (see
  :mod:`kb.api.request_json`) gets 400.
- GET with ``query``, ``variables``, ``operationName`` in the URL, for queries only: a
  mutation gets 405 with ``Allow: POST``.
- ``Accept: application/graphql-response+json`` is honoured: request errors (syntax,
  validation, bad variables) answer 400 without ``data``. With ``application/json``
  every well-formed request answers 200.
- ``Authorization: Bearer <token>``: an unknown or revoked token gets 401.
- In development, a browser asking for HTML gets GraphiQL, served from the package
  (``kb/api/graphiql.html`` on the builds vendored in ``kb/web/static/vendor/graphiql/``):
  it works without internet access.

Every refusal is a GraphQL error object with ``extensions.code``; the document is parsed
once here to pick the operation (an unknown ``operationName``, or several operations and
none named, is BAD_USER_INPUT).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import orjson
from graphql import DocumentNode, OperationDefinitionNode, OperationType
from graphql.error import GraphQLError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kb.api.auth import viewer_for_token
from kb.api.cache import ResponseCache, cache_key
from kb.api.cache_deps import dependencies
from kb.api.client_limits import ClientLimits, client_key
from kb.api.context import ANONYMOUS, Context, Viewer
from kb.api.fast_path import FastPath, Refusal
from kb.api.parsing import parse_kept
from kb.api.planner import COUNTS, PlannerMismatch
from kb.api.request_json import BadJsonError, loads
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.async_reads import AsyncReads
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.search.runtime import SearchRuntime

#: The largest request body accepted (a practice body may hold 100,000 characters).
MAX_BODY = 1_000_000

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _media_type(request: Request) -> str:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return JSON
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in kinds:
        return GRAPHQL_RESPONSE
    if JSON in kinds or "*/*" in kinds or "application/*" in kinds:
        return JSON
    raise HttpError(406, f"cannot answer in {accept!r}; accept {GRAPHQL_RESPONSE} or {JSON}")


async def _body(request: Request) -> dict[str, Any]:
    kind, *parameters = request.headers.get("content-type", "").split(";")
    kind = kind.strip().lower()
    if kind != JSON:
        raise HttpError(
            415, f"a POST body must be {JSON}, not {kind or 'untyped'!r}", {"Accept-Post": JSON}
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise HttpError(
                415, f"charset {charset!r} is not accepted; send UTF-8", {"Accept-Post": JSON}
            )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise HttpError(
            413, f"the request body is {declared} bytes; at most {MAX_BODY} are accepted"
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HttpError(413, f"the request body is over {MAX_BODY} bytes")
        chunks.append(chunk)
    if not chunks or not any(chunks):
        raise HttpError(400, "the request body is empty; send a JSON object with a 'query'")
    try:
        data = loads(b"".join(chunks))
    except BadJsonError as error:
        raise HttpError(400, str(error)) from None
    if isinstance(data, list):
        raise HttpError(400, "batching is not supported; send one request object")
    if not isinstance(data, dict):
        raise HttpError(400, "the request body must be a JSON object with a 'query'")
    return data


def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    if "variables" in params:
        try:
            params["variables"] = loads(params["variables"], "'variables'")
        except BadJsonError as error:
            raise HttpError(400, str(error)) from None
    if "extensions" in params:
        params.pop("extensions")
    return params


async def _viewer(request: Request, graph: Graph) -> Viewer:
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise HttpError(
            401, "the Authorization header must be 'Bearer <token>'", {"WWW-Authenticate": "Bearer"}
        )
    viewer = await viewer_for_token(graph, secret.strip())
    if viewer is None:
        raise HttpError(
            401,
            "the token is unknown or revoked",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return viewer


def _operation(query: str, name: str | None) -> OperationType | None:
    """The type of the operation to run; None when the document does not parse (the
    schema reports that properly)."""
    try:
        document = parse_kept(query, 5000)
    except (GraphQLError, RecursionError):
        return None
    return _pick(document, name).operation


def _pick(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    names = ", ".join(repr(o.name.value) if o.name else "(anonymous)" for o in operations)
    if not operations:
        raise HttpError(400, "the document defines no operation; add a query or a mutation")
    if name is None:
        if len(operations) > 1:
            raise HttpError(
                400, f"the document defines several operations ({names}); name one in "
                "'operationName'",
            )  # fmt: skip
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise HttpError(400, f"operationName {name!r} is not in the document; it defines {names}")


async def handle(
    request: Request,
    schema: Schema,
    graph: Graph,
    settings: Settings,
    search: SearchRuntime | None = None,
    cache: ResponseCache | None = None,
    limits: ClientLimits | None = None,
    fast: FastPath | None = None,
    reads: AsyncReads | None = None,
) -> Response:
    """Answer one GraphQL-over-HTTP request (from ``cache`` when it holds the answer
    for the graph's current version; a fully planned read through ``fast``); each counts
    against the client's ``limits``; planned reads go through ``reads`` when given."""
    try:
        if request.method == "GET" and "query" not in request.query_params and _wants_html(request):
            # Not a GraphQL GET (no 'query'): the explorer, whose address may keep the
            # query being edited (?q=...) so that it can be shared.
            if settings.production:
                raise HttpError(404, "GraphiQL is not served in production")
            return HTMLResponse(graphiql_page())
        if request.method not in ("GET", "POST"):
            raise HttpError(405, f"{request.method} is not supported", {"Allow": "GET, POST"})
        media_type = _media_type(request)
        params = await _body(request) if request.method == "POST" else _params(request)
        query, variables, name = (
            params.get("query"),
            params.get("variables"),
            params.get("operationName"),
        )
        if not isinstance(query, str) or not query.strip():
            raise HttpError(400, "a non-empty 'query' string is required")
        if variables is not None and not isinstance(variables, dict):
            raise HttpError(400, "'variables' must be a JSON object")
        if name is not None and not isinstance(name, str):
            raise HttpError(400, "'operationName' must be a string")
        if name == "":
            name = None  # what some clients send for "the only operation"
        operation = _operation(query, name)
        if request.method == "GET" and operation not in (OperationType.QUERY, None):
            raise HttpError(405, "mutations are sent with POST", {"Allow": "POST"})
        if operation == OperationType.SUBSCRIPTION:
            raise HttpError(
                400,
                "subscription operations are served over WebSocket (graphql-transport-ws) "
                "at this address, not over HTTP",
            )
        viewer = await _viewer(request, graph)
    except HttpError as error:
        return _error(error)
    except DatabaseUnavailableError:
        return _error(HttpError(503, "the database is unavailable; try again later"))
    if limits is not None:
        address = request.client.host if request.client else None
        refused = limits.take(client_key(viewer.token_id, address))
        if refused is not None:
            wait = str(refused.details.get("retryAfter", 1))
            return JSONResponse(
                {"errors": [refused.formatted()]}, status_code=429, headers={"Retry-After": wait}
            )
    version = search.indexer.applied_version if search is not None else None
    key = None
    if cache is not None and version is not None and operation == OperationType.QUERY:
        key = cache_key(query, name, variables, viewer.role, media_type)
        body = cache.get(key, version)
        if body is not None:
            return Response(body, media_type=media_type, headers={"X-KB-Cache": "hit"})
    context = Context(graph, settings, viewer, search, reads)
    if fast is not None and operation == OperationType.QUERY:
        body = await fast.answer(query, variables, name, context)
        if body is not None:
            no_slot = isinstance(body, Refusal)  # whether plain would get one varies
            status = 400 if no_slot and media_type == GRAPHQL_RESPONSE else 200
            if settings.planner == "check" and not no_slot:
                fresh = Context(graph, settings, viewer, search)
                plain, _ = await _run(schema, query, variables, name, media_type, operation, fresh)
                if plain.status_code != status or bytes(plain.body) != body:
                    COUNTS.mismatches += 1
                    raise PlannerMismatch(
                        f"the fast path's answer differs from plain execution for {query!r}: "
                        f"fast {body!r}, plain {bytes(plain.body)!r}"
                    )
            fast_response = Response(body, status_code=status, media_type=media_type)
            kept_errors = [body] if no_slot else []
            _keep(fast_response, schema, query, name, variables, key, cache, version, kept_errors)
            return fast_response
    response, errors = await _run(schema, query, variables, name, media_type, operation, context)
    _keep(response, schema, query, name, variables, key, cache, version, errors)
    return response


async def _run(
    schema: Schema,
    query: str,
    variables: dict[str, Any] | None,
    name: str | None,
    media_type: str,
    operation: OperationType | None,
    context: Context,
) -> tuple[Response, list[Any]]:
    """Plain execution through Strawberry: the response and its errors."""
    result = await schema.execute(
        query, variable_values=variables, context_value=context, operation_name=name
    )
    search = context.search
    if search is not None and result.data and operation == OperationType.MUTATION:
        # What this process just wrote is searchable when the response arrives.
        await run_in_threadpool(search.catch_up)
    errors = [error.formatted for error in result.errors or []]
    request_error = bool(errors) and result.data is None and all("path" not in e for e in errors)
    payload: dict[str, Any] = {} if request_error else {"data": result.data}
    if errors:
        payload["errors"] = errors
    status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
    return GraphQLJSONResponse(payload, status_code=status, media_type=media_type), errors


def _keep(
    response: Response,
    schema: Schema,
    query: str,
    name: str | None,
    variables: dict[str, Any] | None,
    key: str | None,
    cache: ResponseCache | None,
    version: Any,
    errors: list[Any],
) -> None:
    """Mark the response a cache miss and keep it (when it has no errors)."""
    if key is not None and cache is not None and version is not None:
        response.headers["X-KB-Cache"] = "miss"
        if not errors:
            deps = dependencies(schema._schema, query, name, variables)
            cache.put(key, version, bytes(response.body), deps)


class GraphQLJSONResponse(JSONResponse):
    """A GraphQL answer encoded by orjson (Rust): the response dictionaries, built in
    the response's shape by the planner or by execution, go straight to bytes, several
    times faster than the standard library's encoder on large reads. Same compact
    UTF-8 JSON as Starlette's ``JSONResponse``."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@cache
def graphiql_page() -> str:
    """The GraphiQL page: every script and style sheet it loads is under ``/static``."""
    return resources.files("kb.api").joinpath("graphiql.html").read_text(encoding="utf-8")


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _error(error: HttpError) -> Response:
    code = {401: "UNAUTHENTICATED", 503: "DATABASE_UNAVAILABLE"}.get(error.status, "BAD_USER_INPUT")
    body = {"errors": [{"message": str(error), "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=error.status, headers=error.headers)
