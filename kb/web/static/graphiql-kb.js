// The GraphiQL page of /graphql (kb/api/graphiql.html), on the builds vendored in
// /static/vendor/graphiql/ (scripts/vendor-graphiql.sh): nothing is loaded from elsewhere.
// The query and variables are kept in the address (?q=...&variables=...) so that a
// query can be shared; headers (an Authorization: Bearer token) stay in this browser.
(function () {
  "use strict";
  var EXAMPLE = [
    "# The procurement knowledge graph. Ctrl-Enter runs the query; the Docs button",
    "# (top left) lists every type and field.",
    "#",
    "# Reading needs no token. To write (createLesson, ...), open Headers below and add",
    '#   {"Authorization": "Bearer <token>"}',
    "# with a token from: .venv/bin/kb token create --name me --role editor",
    "",
    "{",
    '  state(code: "UT") {',
    "    name",
    "    eligibleContracts(first: 3) {",
    "      totalCount",
    "      nodes { title alliance { name } }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");

  var parameters = new URLSearchParams(window.location.search);
  var endpoint = window.location.pathname;

  function remember(name, value) {
    if (value) {
      parameters.set(name, value);
    } else {
      parameters.delete(name);
    }
    var search = parameters.toString();
    history.replaceState(null, "", endpoint + (search ? "?" + search : ""));
  }

  var fetcher = GraphiQL.createFetcher({ url: endpoint });

  function Explorer() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE,
      query: parameters.get("q") || undefined,
      variables: parameters.get("variables") || undefined,
      onEditQuery: function (query) { remember("q", query); },
      onEditVariables: function (variables) { remember("variables", variables); },
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(Explorer)
  );
})();
