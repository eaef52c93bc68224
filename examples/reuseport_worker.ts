// The worker half of reuseport_workers.ts: an HTTP "ok" responder on a
// SO_REUSEPORT listener, reporting its request count to the parent.
import { type Conn, ListenConfig, type TCPAddr } from "../mod.ts";

declare const self: {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(msg: unknown): void;
};

const response = new TextEncoder().encode(
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
);
let requests = 0;

async function serve(conn: Conn): Promise<void> {
  const buf = new Uint8Array(16 << 10);
  try {
    for (;;) {
      const n = await conn.Read(buf);
      let k = 0;
      for (let i = 3; i < n; i++) {
        if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) k++;
      }
      for (let i = 0; i < k; i++) await conn.Write(response);
      requests += k;
    }
  } catch {
    // Client gone.
  } finally {
    conn.Close();
  }
}

self.onmessage = async (e: MessageEvent) => {
  const { id, port } = e.data as { id: number; port: number };
  const ln = await new ListenConfig({ ReusePort: true }).Listen(null, "tcp", `127.0.0.1:${port}`);
  self.postMessage({ type: "listening", port: (ln.Addr() as TCPAddr).Port });
  setInterval(() => self.postMessage({ type: "count", id, requests }), 250);
  for await (const conn of ln) serve(conn);
};
