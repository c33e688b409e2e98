// The per-session backends' scene: an in-process gateway in a scratch folder (config, schema
// cache, FIXTURE_PID_DIR), raw stdio clients on injected pipes (each one a stdio connection, so a
// session of its own), and the pids of a server's processes by session.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConfigInput } from "../../src/config/schema.ts";
import { serveStdio } from "../../src/front/stdio.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { descendants, isAlive, killTree, pidsIn, waitFor } from "../helpers/proc.ts";
import { stdioPipe } from "../helpers/stdio-pipe.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

export type Msg = {
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/** A real reference server from npm (a devDependency), run by this bun. */
export function npmServer(name: "server-memory" | "server-everything", env = {}) {
  const script = fileURLToPath(
    new URL(`../../node_modules/@modelcontextprotocol/${name}/dist/index.js`, import.meta.url),
  );
  return { command: process.execPath, args: [script], env };
}

export const TASKS_SERVER = fileURLToPath(new URL("../fixtures/tasks-server.ts", import.meta.url));

/** The first text block of a result. */
export const text = (m: Msg): string | undefined =>
  (m.result?.content as { text?: string }[] | undefined)?.[0]?.text;

export class Scene {
  readonly dir: TempDir = tempDir("mcp-gateway-per-session-");
  readonly pidDir = join(this.dir.path, "pids");
  private gateways: MCPGateway[] = [];
  private clients: PipeClient[] = [];

  constructor() {
    mkdirSync(this.pidDir);
  }

  /** The fixture as a server of a config, recording its pid (and grandchild's) in pidDir. */
  fixture(flags: string[] = [], extra: Record<string, unknown> = {}) {
    return { ...fixtureCommand(flags), env: { FIXTURE_PID_DIR: this.pidDir }, ...extra };
  }

  gateway(config: ConfigInput): MCPGateway {
    const gw = new MCPGateway({ config, cacheDir: join(this.dir.path, "cache") });
    this.gateways.push(gw);
    return gw;
  }

  /** A stdio connection to `gw`, initialized (2025-11-25, declaring sampling and elicitation). */
  async client(gw: MCPGateway, name: string): Promise<PipeClient> {
    const c = new PipeClient(gw, name);
    this.clients.push(c);
    await c.initialize();
    return c;
  }

  /** Every pid the fixture servers wrote, with the grandchildren. */
  fixturePids(): number[] {
    return [...pidsIn(this.pidDir), ...pidsIn(this.pidDir, "grandchild-")];
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients) c.close();
    await Promise.all(this.gateways.map((g) => g.close()));
    const left = [...this.fixturePids(), ...descendants(process.pid)].filter(isAlive);
    await Promise.all(left.map((p) => killTree(p).catch(() => {})));
    this.dir.cleanup();
  }
}

/** One raw client on a pipe: requests by id, answers to the gateway's requests by `answer`. */
export class PipeClient {
  readonly got: Msg[] = [];
  /** Answers a request of the gateway (sampling…); undefined: an error. */
  answer: (m: Msg) => Record<string, unknown> | undefined = () => undefined;
  readonly served: Promise<void>;
  private nextId = 1;
  private readonly waiting = new Map<string | number, (m: Msg) => void>();
  private readonly pipe = stdioPipe<Msg>((m) => this.receive(m));

  constructor(
    gw: MCPGateway,
    readonly name: string,
  ) {
    this.served = serveStdio(gw.router, gw.role, this.pipe.io);
  }

  private receive(m: Msg): void {
    this.got.push(m);
    if (m.method === undefined && m.id !== undefined && m.id !== null) {
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    } else if (m.method !== undefined && m.id !== undefined && m.id !== null) {
      const result = this.answer(m);
      const reply = result
        ? { id: m.id, result }
        : { id: m.id, error: { code: -32601, message: `${this.name}: no answer` } };
      queueMicrotask(() => this.pipe.send(reply));
    }
  }

  /** A request and its response (bounded: 20 s). */
  request(method: string, params: Record<string, unknown> = {}): Promise<Msg> {
    const id = this.nextId++;
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no answer to ${method} #${id}`)),
        20_000,
      );
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.pipe.send({ id, method, params });
    });
  }

  call(name: string, args: Record<string, unknown> = {}): Promise<Msg> {
    return this.request("tools/call", { name, arguments: args });
  }

  async initialize(): Promise<void> {
    await this.request("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: { sampling: {}, elicitation: {}, roots: {} },
      clientInfo: { name: this.name, version: "1" },
    });
    this.pipe.send({ method: "notifications/initialized" });
  }

  /** The gateway's requests to this client with `method`. */
  asked(method: string): Msg[] {
    return this.got.filter((m) => m.method === method && m.id !== undefined);
  }

  /** The client leaves (stdin EOF). */
  close(): void {
    this.pipe.end();
  }
}

/** Waits (bounded) until none of `pids` is alive. */
export async function gone(pids: number[], timeout = 8000): Promise<void> {
  await waitFor(() => pids.every((p) => !isAlive(p)), {
    timeout,
    message: `processes to be gone: ${pids.filter(isAlive).join(", ")} of ${pids.join(", ")}`,
  });
}
