// The --allow-net courtesy guard, seen from subprocesses run with scoped
// or missing net permission: what the scope allows works, the rest fails
// with an OpError wrapping Deno.errors.NotCapable and Deno's message.
import { assertEquals } from "@std/assert";
import { listen } from "../deno.ts";
import { bounded } from "./_util.ts";

const probe = new URL("./fixtures/permission_probe.ts", import.meta.url).pathname;

interface Outcome {
  ok: boolean;
  message?: string;
  notCapable?: boolean;
}

/** Runs the probe with netFlags and the port; returns its outcome per case. */
async function runProbe(netFlags: string[], port: number): Promise<Record<string, Outcome>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-ffi", "--allow-read", ...netFlags, probe, String(port)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`probe failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(stdout);
}

/** A port free a moment ago. */
async function freePort(): Promise<number> {
  await using ln = await listen({ hostname: "127.0.0.1", port: 0 });
  return ln.addr.port;
}

function denied(opNet: string, addr: string, host: string): Outcome {
  return {
    ok: false,
    message:
      `${opNet} ${addr}: Requires net access to "${host}", run again with the --allow-net flag`,
    notCapable: true,
  };
}

function refused(opNet: string, addr: string): Outcome {
  return { ok: false, message: `${opNet} ${addr}: connect: connection refused`, notCapable: false };
}

const tests: {
  name: string;
  flags: (port: number) => string[];
  want: (port: number) => Record<string, Outcome>;
}[] = [
  {
    name: "--allow-net=127.0.0.1:PORT allows that address and refuses the others",
    flags: (port) => [`--allow-net=127.0.0.1:${port}`],
    want: (port) => ({
      "Listen 127.0.0.1:PORT": { ok: true },
      "Listen 127.0.0.1:0": denied("listen tcp", "127.0.0.1:0", "127.0.0.1:0"),
      "Listen :PORT": denied("listen tcp", `:${port}`, `0.0.0.0:${port}`),
      "listen 0.0.0.0:PORT": denied("listen tcp", `0.0.0.0:${port}`, `0.0.0.0:${port}`),
      "Dial 127.0.0.1:PORT+1": denied("dial tcp", `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 1}`),
      "Dial [::1]:PORT": denied("dial tcp6", `[::1]:${port}`, `[::1]:${port}`),
      "connect 127.0.0.1:PORT+1": denied(
        "dial tcp",
        `127.0.0.1:${port + 1}`,
        `127.0.0.1:${port + 1}`,
      ),
      "Dial and connect 127.0.0.1:PORT": { ok: true },
      "Dial after revoke": denied("dial tcp", `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 1}`),
    }),
  },
  {
    name: "no --allow-net refuses every dial and listen",
    flags: () => [],
    want: (port) => ({
      "Listen 127.0.0.1:PORT": denied("listen tcp", `127.0.0.1:${port}`, `127.0.0.1:${port}`),
      "Listen 127.0.0.1:0": denied("listen tcp", "127.0.0.1:0", "127.0.0.1:0"),
      "Listen :PORT": denied("listen tcp", `:${port}`, `0.0.0.0:${port}`),
      "listen 0.0.0.0:PORT": denied("listen tcp", `0.0.0.0:${port}`, `0.0.0.0:${port}`),
      "Dial 127.0.0.1:PORT+1": denied("dial tcp", `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 1}`),
      "Dial [::1]:PORT": denied("dial tcp6", `[::1]:${port}`, `[::1]:${port}`),
      "connect 127.0.0.1:PORT+1": denied(
        "dial tcp",
        `127.0.0.1:${port + 1}`,
        `127.0.0.1:${port + 1}`,
      ),
      "Dial and connect 127.0.0.1:PORT": denied(
        "listen tcp",
        `127.0.0.1:${port}`,
        `127.0.0.1:${port}`,
      ),
      "Dial after revoke": denied("dial tcp", `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 1}`),
    }),
  },
  {
    name: "--allow-net with no list allows everything",
    flags: () => ["--allow-net"],
    want: (port) => ({
      "Listen 127.0.0.1:PORT": { ok: true },
      "Listen 127.0.0.1:0": { ok: true },
      "Listen :PORT": { ok: true },
      "listen 0.0.0.0:PORT": { ok: true },
      "Dial 127.0.0.1:PORT+1": refused("dial tcp", `127.0.0.1:${port + 1}`),
      "Dial [::1]:PORT": refused("dial tcp6", `[::1]:${port}`),
      "connect 127.0.0.1:PORT+1": refused("dial tcp", `127.0.0.1:${port + 1}`),
      "Dial and connect 127.0.0.1:PORT": { ok: true },
      "Dial after revoke": denied("dial tcp", `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 1}`),
    }),
  },
  {
    name: "--allow-net with --deny-net of one address refuses just that one",
    flags: (port) => ["--allow-net", `--deny-net=127.0.0.1:${port + 1}`],
    want: (port) => ({
      "Listen 127.0.0.1:PORT": { ok: true },
      "Listen 127.0.0.1:0": { ok: true },
      "Listen :PORT": { ok: true },
      "listen 0.0.0.0:PORT": { ok: true },
      "Dial 127.0.0.1:PORT+1": denied("dial tcp", `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 1}`),
      "Dial [::1]:PORT": refused("dial tcp6", `[::1]:${port}`),
      "connect 127.0.0.1:PORT+1": denied(
        "dial tcp",
        `127.0.0.1:${port + 1}`,
        `127.0.0.1:${port + 1}`,
      ),
      "Dial and connect 127.0.0.1:PORT": { ok: true },
      "Dial after revoke": denied("dial tcp", `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 1}`),
    }),
  },
];

for (const tt of tests) {
  Deno.test(tt.name, () =>
    bounded(30000, async () => {
      const port = await freePort();
      const got = await runProbe(tt.flags(port), port);
      assertEquals(got, tt.want(port));
    }));
}
