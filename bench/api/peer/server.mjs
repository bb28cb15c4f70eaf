// The peer of bench/api/compare.py: the Neo4j GraphQL Library 7 on Apollo Server 4,
// serving the bench's Neo4j. Type definitions come from a file written by
// bench/api/peer_schema.py (from the project's relationship table).
//
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, PEER_PORT, PEER_TYPEDEFS.
// Binds 127.0.0.1 only; prints "ready <url>" once listening.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`server.mjs: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const driver = neo4j.driver(
  required("NEO4J_URI"),
  neo4j.auth.basic(required("NEO4J_USER"), required("NEO4J_PASSWORD")),
);
const typeDefs = readFileSync(required("PEER_TYPEDEFS"), "utf8");
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(required("PEER_PORT")) },
});
console.log(`ready ${url}`);

async function stop() {
  await server.stop();
  await driver.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
