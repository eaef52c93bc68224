/**
 * Deno-shaped adapters over netpoll: {@linkcode connect} and
 * {@linkcode listen} take `Deno.connect` / `Deno.listen` options and return
 * conns and listeners with the `Deno.TcpConn` / `Deno.TcpListener` surface
 * (`read`, `write`, `readable`, `writable`, `closeWrite`, `await using`…),
 * plus Go's deadlines and the Go-shaped conn underneath as `.conn`.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@netpoll/net/deno";
 *
 * await using ln = await listen({ hostname: "127.0.0.1", port: 0 });
 * const accepted = ln.accept();
 * await using client = await connect({ hostname: "127.0.0.1", port: ln.addr.port });
 * await using server = await accepted;
 *
 * // An uppercasing echo, written with web streams only.
 * const served = server.readable
 *   .pipeThrough(new TextDecoderStream())
 *   .pipeThrough(new TransformStream({ transform: (s, c) => c.enqueue(s.toUpperCase()) }))
 *   .pipeThrough(new TextEncoderStream())
 *   .pipeTo(server.writable);
 *
 * const writer = client.writable.getWriter();
 * await writer.write(new TextEncoder().encode("hello, netpoll"));
 * await writer.close(); // half-close: the server's readable ends
 * console.log(await new Response(client.readable).text()); // "HELLO, NETPOLL"
 * await served;
 * ```
 *
 * @module
 */

export {
  connect,
  type ConnectOptions,
  listen,
  type ListenOptions,
  TcpConn,
  TcpListener,
} from "./src/deno/adapters.ts";
