"""HTTP: the Starlette application (health, readiness) and the GraphQL API at /graphql."""
