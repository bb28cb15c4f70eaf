// One load cell for bench/api/compare.py: autocannon POSTs one GraphQL body to one URL
// with N connections for D seconds and prints, on one line of JSON, the request rate,
// the non-2xx count and the p50/p95 of every response's latency (ms).
//
// Usage: node load.mjs '{"url": "...", "body": "...", "connections": 1, "duration": 5}'
import autocannon from "autocannon";

const spec = JSON.parse(process.argv[2]);
if (!spec.url.startsWith("http://127.0.0.1:")) {
  console.error(`load.mjs: only 127.0.0.1 may be a target, got ${spec.url}`);
  process.exit(2);
}
const latencies = [];
const instance = autocannon({
  url: spec.url,
  method: "POST",
  headers: { "content-type": "application/json" },
  body: spec.body,
  connections: spec.connections,
  duration: spec.duration,
});
instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
const result = await instance;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.round(q * (latencies.length - 1)))];
console.log(
  JSON.stringify({
    requests: latencies.length,
    rps: latencies.length / (result.duration || spec.duration),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: at(0.5),
    p95: at(0.95),
  }),
);
