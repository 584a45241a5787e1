// An agent in another container, as the HTTP API tests run it: a separate Node process that knows only the API's
// address and its token (TP_BASE, TP_TOKEN; TP_ADMIN for the person who asks for a stop), and drives a whole task
// lifecycle with fetch. It prints one JSON line per call: { step, status, exit, body }.
const base = process.env.TP_BASE;
const token = process.env.TP_TOKEN;
const admin = process.env.TP_ADMIN;

async function call(step, method, path, body, as = token) {
  const headers = { Authorization: `Bearer ${as}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(`${base}api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json();
  process.stdout.write(`${JSON.stringify({ step, status: r.status, exit: r.headers.get("taskpulse-exit-code"), body: json })}\n`);
  return json;
}

const queued = await call("create", "POST", "/tasks", { name: "Nightly build", steps: ["fetch", "build"], tags: ["ci"], meta: { n: 3 } });
const id = queued.data.task.id;
await call("claim", "POST", "/claim", {});
await call("heartbeat", "POST", `/tasks/${id}/heartbeat`, { message: "downloading", progress: 50 });
await call("next", "POST", `/tasks/${id}/next`, { message: "fetched" });
await call("done", "POST", `/tasks/${id}/done`, { result: "https://ci.example/42" });
await call("claim-empty", "POST", "/claim");

const long = (await call("create-started", "POST", "/tasks", { name: "Long job", steps: ["scan", "fix"], start: true })).data.task.id;
await call("stop", "POST", `/tasks/${long}/stop`, { reason: "the user changed their mind" }, admin);
await call("heartbeat-stopped", "POST", `/tasks/${long}/heartbeat`, { message: "scanning" });
await call("check", "GET", `/tasks/${long}/check`);
await call("ack", "POST", `/tasks/${long}/ack`, { summary: "scanned; nothing fixed" });
await call("check-after", "GET", `/tasks/${long}/check`);

const broken = (await call("create-broken", "POST", "/tasks", { name: "Broken", start: true })).data.task.id;
await call("error", "POST", `/tasks/${broken}/error`, { message: "disk full", retry: false });
await call("status", "GET", `/tasks/${broken}`);

const later = (await call("create-queued", "POST", "/tasks", { name: "Later", priority: "P1" })).data.task.id;
await call("start", "POST", `/tasks/${later}/start`);
await call("done-again", "POST", `/tasks/${broken}/done`);
