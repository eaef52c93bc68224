// One accept loop per core: each Deno Worker listens on the same port with
// SO_REUSEPORT and serves the HTTP "ok" responder; the kernel spreads
// connections across them. Prints per-worker request counts every second
// (and on exit after --seconds N, if given).
// Usage: deno run --allow-ffi --allow-read --allow-net examples/reuseport_workers.ts [port] [--seconds N]
const port = Number(Deno.args[0] ?? "0") || 0;
const si = Deno.args.indexOf("--seconds");
const seconds = si >= 0 ? Number(Deno.args[si + 1]) : 0;
const n = navigator.hardwareConcurrency || 2;

if (import.meta.main && !("WorkerGlobalScope" in globalThis)) {
  const counts = new Array<number>(n).fill(0);
  const workers: Worker[] = [];
  let chosenPort = port;
  for (let i = 0; i < n; i++) {
    const w = new Worker(new URL("./reuseport_worker.ts", import.meta.url), { type: "module" });
    const ready = new Promise<number>((resolve) => {
      w.onmessage = (e: MessageEvent) => {
        if (e.data.type === "listening") resolve(e.data.port);
        else if (e.data.type === "count") counts[e.data.id] = e.data.requests;
      };
    });
    w.postMessage({ id: i, port: chosenPort });
    chosenPort = await ready;
    workers.push(w);
  }
  console.log(`listening on 127.0.0.1:${chosenPort} (${n} workers, SO_REUSEPORT)`);
  const timer = setInterval(() => console.log(`requests per worker: ${counts.join(" ")}`), 1000);
  if (seconds > 0) {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(timer);
    console.log(`final requests per worker: ${counts.join(" ")}`);
    for (const w of workers) w.terminate();
  }
}
