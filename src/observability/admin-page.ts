/**
 * The admin page (/ui): one self-contained HTML document, no build step, no external
 * resource. It lists recent requests (live, from /api/recent/stream), filters them, and shows
 * the redacted configuration from /config_dump. Request data is caller-controlled (paths,
 * model names), so it is only ever inserted as text, never as HTML.
 */
export const ADMIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agw admin</title>
<style>
  :root { --bg:#0f1419; --panel:#171d24; --line:#26303b; --fg:#d8dee6; --dim:#8593a3; --ok:#4cc38a; --warn:#e5b454; --err:#ef6b6b; --acc:#6aa8ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:13px/1.4 ui-sans-serif, system-ui, sans-serif; background:var(--bg); color:var(--fg); }
  header { display:flex; align-items:center; gap:16px; padding:10px 16px; border-bottom:1px solid var(--line); background:var(--panel); }
  header h1 { font-size:15px; margin:0; }
  #live { font-size:12px; color:var(--dim); }
  #live.on::before { content:"● "; color:var(--ok); }
  #live.off::before { content:"● "; color:var(--err); }
  nav button { background:none; border:1px solid var(--line); color:var(--fg); padding:4px 10px; border-radius:4px; cursor:pointer; }
  nav button.active { border-color:var(--acc); color:var(--acc); }
  main { padding:12px 16px; }
  #filter { width:340px; padding:6px 8px; background:var(--panel); border:1px solid var(--line); color:var(--fg); border-radius:4px; }
  #count { color:var(--dim); margin-left:10px; }
  table { width:100%; border-collapse:collapse; margin-top:10px; font-variant-numeric:tabular-nums; }
  th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
  th { color:var(--dim); font-weight:600; position:sticky; top:0; background:var(--bg); }
  td.num { text-align:right; }
  .s2 { color:var(--ok); } .s3 { color:var(--acc); } .s4 { color:var(--warn); } .s5 { color:var(--err); }
  .tag { display:inline-block; padding:0 6px; border-radius:3px; background:#22303f; color:#a9c7ff; font-size:12px; }
  .tag.passthrough { background:#2c2a1c; color:#e5d38c; }
  .dim { color:var(--dim); }
  pre { background:var(--panel); border:1px solid var(--line); padding:12px; border-radius:4px; overflow:auto; }
  .hidden { display:none; }
</style>
</head>
<body>
<header>
  <h1>agw</h1>
  <nav><button id="tab-requests" class="active">Recent requests</button> <button id="tab-config">Configuration</button></nav>
  <span id="live" class="off">connecting</span>
</header>
<main>
  <section id="requests">
    <input id="filter" type="search" placeholder="Filter: model, route, status, path, target…" autocomplete="off">
    <span id="count"></span>
    <table>
      <thead><tr>
        <th>Time</th><th>Status</th><th>Method</th><th>Path</th><th>Routing</th><th>Target</th>
        <th>Model</th><th class="num">Tokens in/out</th><th class="num">Cost</th><th class="num">Latency</th><th class="num">Upstream</th><th class="num">TTFT</th><th>Error</th><th>Request id</th>
      </tr></thead>
      <tbody id="rows"></tbody>
    </table>
  </section>
  <section id="config" class="hidden">
    <p class="dim">The configuration serving now. Secrets are shown as [redacted].</p>
    <pre id="config-text">loading…</pre>
  </section>
</main>
<script>
(() => {
  const MAX = 500;
  const entries = [];
  const rows = document.getElementById("rows");
  const filter = document.getElementById("filter");
  const count = document.getElementById("count");
  const live = document.getElementById("live");
  let lastSeq = 0;

  const ms = (v) => v === undefined || v === null ? "" : (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + " ms";
  const text = (v) => v === undefined || v === null ? "" : String(v);
  const modelOf = (e) => {
    const asked = e.model ?? "";
    const answered = e.responseModel ?? e.upstreamModel;
    return answered && answered !== asked ? asked + " → " + answered : asked;
  };
  const routingOf = (e) => e.routing ?? "";
  const haystack = (e) => [e.model, e.responseModel, e.upstreamModel, e.route, e.routing, e.target, e.provider,
    e.status, e.path, e.method, e.error, e.requestId, e.routeType, e.strategy].map(text).join(" ").toLowerCase();
  const matches = (e) => {
    const q = filter.value.trim().toLowerCase();
    if (q === "") return true;
    const h = haystack(e);
    return q.split(/\\s+/).every((t) => h.includes(t));
  };

  function cell(tr, value, cls) {
    const td = document.createElement("td");
    td.textContent = value;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function rowOf(e) {
    const tr = document.createElement("tr");
    tr.dataset.seq = e.seq;
    cell(tr, new Date(e.time).toLocaleTimeString(), "dim");
    cell(tr, text(e.status), "s" + String(e.status).charAt(0));
    cell(tr, e.method);
    cell(tr, e.path);
    const r = cell(tr, "");
    if (routingOf(e) !== "") {
      const span = document.createElement("span");
      span.className = "tag " + (routingOf(e) === "passthrough" ? "passthrough" : "");
      span.textContent = routingOf(e) + (e.strategy ? " · " + e.strategy : "") + (e.attempts > 1 ? " · " + e.attempts + " tries" : "");
      r.appendChild(span);
    }
    cell(tr, text(e.target ?? e.provider ?? e.backend));
    cell(tr, modelOf(e));
    const tok = e.inputTokens === undefined && e.outputTokens === undefined ? ""
      : text(e.inputTokens ?? 0) + " / " + text(e.outputTokens ?? 0) + (e.cachedTokens ? " (" + e.cachedTokens + " cached)" : "");
    cell(tr, tok, "num");
    cell(tr, e.cost === undefined ? "" : "$" + (e.cost < 0.01 ? e.cost.toPrecision(2) : e.cost.toFixed(4)), "num");
    cell(tr, ms(e.durationMs), "num");
    cell(tr, ms(e.upstreamMs), "num");
    cell(tr, ms(e.ttftMs), "num");
    cell(tr, text(e.error), "s5");
    cell(tr, e.requestId, "dim");
    return tr;
  }

  function render() {
    const frag = document.createDocumentFragment();
    let shown = 0;
    for (let i = entries.length - 1; i >= 0; i--) {
      if (!matches(entries[i])) continue;
      frag.appendChild(rowOf(entries[i]));
      shown++;
    }
    rows.replaceChildren(frag);
    count.textContent = shown + " of " + entries.length + " requests";
  }

  function add(e) {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    entries.push(e);
    if (entries.length > MAX) entries.shift();
  }

  filter.addEventListener("input", render);

  function connect() {
    const es = new EventSource("/api/recent/stream?after=" + lastSeq);
    es.addEventListener("open", () => { live.className = "on"; live.textContent = "live"; });
    es.addEventListener("request", (ev) => { add(JSON.parse(ev.data)); render(); });
    es.addEventListener("error", () => { live.className = "off"; live.textContent = "reconnecting"; });
  }

  fetch("/api/recent").then((r) => r.json()).then((list) => { for (const e of list) add(e); render(); connect(); },
    () => connect());

  function loadConfig() {
    fetch("/config_dump").then((r) => r.text()).then((t) => {
      document.getElementById("config-text").textContent = t;
    });
  }
  const tabs = { requests: document.getElementById("tab-requests"), config: document.getElementById("tab-config") };
  function show(name) {
    for (const k of Object.keys(tabs)) {
      tabs[k].classList.toggle("active", k === name);
      document.getElementById(k).classList.toggle("hidden", k !== name);
    }
    if (name === "config") loadConfig();
  }
  tabs.requests.addEventListener("click", () => show("requests"));
  tabs.config.addEventListener("click", () => show("config"));
})();
</script>
</body>
</html>
`;
