// A tiny keep-alive HTTP/1.1 server written with web streams on the ./deno
// adapter: each conn's readable is split into request heads, each head
// becomes a response, and the responses are piped into the writable.
// "Connection: close" ends the pipeline, which half-closes the conn.
// Usage: deno run --allow-ffi --allow-read --allow-net examples/http_server_streams.ts [port]
//        then: curl -v http://127.0.0.1:PORT/hello
import { listen } from "../deno.ts";

/** The parts of a request this server looks at. */
interface RequestHead {
  method: string;
  target: string;
  headers: Map<string, string>;
}

/** The longest request head accepted. */
const maxHeadBytes = 16 << 10;

/** Index of the "\r\n\r\n" ending a request head in b, or -1. */
function headEnd(b: Uint8Array): number {
  for (let i = 3; i < b.length; i++) {
    if (b[i] === 10 && b[i - 1] === 13 && b[i - 2] === 10 && b[i - 3] === 13) return i - 3;
  }
  return -1;
}

/** Parses "GET / HTTP/1.1\r\nHost: x\r\n…" (without the final blank line). */
function parseHead(text: string): RequestHead {
  const [requestLine, ...lines] = text.split("\r\n");
  const [method = "", target = ""] = requestLine.split(" ");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return { method, target, headers };
}

/** Splits a byte stream into request heads, skipping Content-Length bodies. */
function requestSplitter(): TransformStream<Uint8Array, RequestHead> {
  const decoder = new TextDecoder();
  let pending = new Uint8Array(0);
  let bodyLeft = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let rest = joined;
      for (;;) {
        const skip = Math.min(bodyLeft, rest.length);
        rest = rest.subarray(skip);
        bodyLeft -= skip;
        const end = headEnd(rest);
        if (bodyLeft > 0 || end < 0) break;
        const head = parseHead(decoder.decode(rest.subarray(0, end)));
        rest = rest.subarray(end + 4);
        bodyLeft = Number(head.headers.get("content-length") ?? 0) || 0;
        controller.enqueue(head);
      }
      if (rest.length > maxHeadBytes) controller.error(new Error("request head too large"));
      pending = rest.slice();
    },
  });
}

/** Turns each request head into a response; "Connection: close" ends the stream. */
function responder(): TransformStream<RequestHead, Uint8Array> {
  const encoder = new TextEncoder();
  return new TransformStream({
    transform(req, controller) {
      const body = `hello from netpoll: ${req.method} ${req.target}\n`;
      const close = req.headers.get("connection")?.toLowerCase() === "close";
      // One chunk per response: one write.
      controller.enqueue(encoder.encode(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" +
          `Content-Length: ${encoder.encode(body).length}\r\n` +
          (close ? "Connection: close\r\n\r\n" : "\r\n") + body,
      ));
      if (close) controller.terminate();
    },
  });
}

const port = Number(Deno.args[0] ?? "0");
const ln = await listen({ hostname: "127.0.0.1", port });
console.log(`listening on ${ln.addr.hostname}:${ln.addr.port}`);

for await (const conn of ln) {
  (async () => {
    await using c = conn;
    await c.readable
      .pipeThrough(requestSplitter())
      .pipeThrough(responder())
      .pipeTo(c.writable);
  })().catch((err) => console.error(`${conn.remoteAddr.hostname}:${conn.remoteAddr.port}: ${err}`));
}
