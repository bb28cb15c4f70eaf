"""HTTP: the Starlette application (health, readiness; the GraphQL API comes next)."""
