// A raw JSON-RPC client for an in-process MCPGateway, over the injectable stdio streams:
// the whole path (session, router, plugin host) without a subprocess.
import type { MCPGateway } from "../../src/gateway.ts";
import { stdioPipe } from "../helpers/stdio-pipe.ts";

export interface Reply {
  id?: string | number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface InProcessClient {
  /** Every message the gateway wrote, in order. */
  readonly seen: Reply[];
  request(method: string, params?: object, id?: string | number): Promise<Reply>;
  call(name: string, args?: object): Promise<Reply>;
  notify(method: string, params?: object): void;
  /** Ends the input; serveStdio then resolves and closes the gateway. */
  end(): Promise<void>;
}

export async function connect(gw: MCPGateway, timeout = 10_000): Promise<InProcessClient> {
  const seen: Reply[] = [];
  const waiting = new Map<string | number, (r: Reply) => void>();
  const { io, send, end } = stdioPipe<Reply>((msg) => {
    seen.push(msg);
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg);
  });
  const serving = gw.serveStdio(io);
  let next = 0;
  const request = (method: string, params: object = {}, id: string | number = ++next) =>
    new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method} (id ${id}): no answer`)), timeout);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(r);
      });
      send({ id, method, params });
    });
  await request("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "in-process", version: "1" },
  });
  send({ method: "notifications/initialized" });
  return {
    seen,
    request,
    call: (name, args = {}) => request("tools/call", { name, arguments: args }),
    notify: (method, params = {}) => send({ method, params }),
    async end() {
      end();
      await serving;
    },
  };
}
