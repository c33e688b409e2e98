import type { Owner } from "../backend/types.ts";
import { claimsModern } from "../era/envelope.ts";
import {
  ErrorCode,
  errorResponse,
  type Id,
  isId,
  type RpcMessage,
  type RpcRequest,
} from "../jsonrpc.ts";
import { LineSplitter, lineWriter } from "../lines.ts";
import { serialize } from "../raw.ts";
import type { Role } from "../router/roles.ts";
import type { Router } from "../router/router.ts";
import { Session } from "../router/session.ts";
import { serveModern } from "./modern.ts";

/**
 * The modern requests of a stdio connection: each served on its own, answered on the shared
 * stdout; a client's notifications/cancelled for one stops it. Everything else is the legacy
 * session's (a client that initializes).
 */
class ModernRequests {
  private readonly open = new Map<Id, () => void>();

  constructor(
    private readonly router: Router,
    /** The connection's role now (a reload may change it between requests). */
    private readonly role: () => Role,
    private readonly send: (m: RpcMessage) => void,
    /** The connection's: its modern requests share its per_session processes. */
    private readonly owner: Owner,
  ) {}

  /** Serve `value` if it is modern traffic; false when it is the legacy session's. */
  take(value: unknown): boolean {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const m = value as Partial<RpcRequest>;
    if (m.method === "notifications/cancelled") {
      const stop = this.open.get(m.params?.requestId as Id);
      if (!stop) return false;
      this.open.delete(m.params?.requestId as Id);
      stop();
      return true;
    }
    if (typeof m.method !== "string" || !isId(m.id) || !claimsModern(m.params)) return false;
    const id = m.id;
    if (this.open.has(id)) {
      this.send(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: id ${JSON.stringify(id)} is already in flight`,
        }),
      );
      return true;
    }
    let answered = false;
    let stop: (() => void) | undefined;
    stop = serveModern(
      this.router,
      m as RpcRequest,
      { role: this.role(), principal: "", front: "stdio", owner: this.owner },
      {
        related: (n) => this.send(n),
        answer: (r) => {
          answered = true;
          if (this.open.get(id) === stop) this.open.delete(id);
          this.send(r);
        },
      },
    );
    if (!answered) this.open.set(id, stop);
    return true;
  }

  closeAll(): void {
    for (const stop of this.open.values()) stop();
    this.open.clear();
  }
}

/** Largest message accepted from a client on stdin (bytes of one line). */
export const MAX_MESSAGE = 32 * 1024 * 1024;

export interface StdioIO {
  input: ReadableStream<Uint8Array>;
  write(text: string): void;
}

/** The process's own stdin/stdout. Only protocol messages are ever written to stdout. */
export function processIO(): StdioIO {
  return { input: Bun.stdin.stream(), write: lineWriter(Bun.stdout.writer()) };
}

/**
 * MCP over newline-delimited JSON on a pair of streams: one client, one session.
 * Resolves when the input ends (the client closed stdin).
 */
export async function serveStdio(
  router: Router,
  role: Role,
  io: StdioIO = processIO(),
): Promise<void> {
  const send = (m: RpcMessage | RpcMessage[]) =>
    io.write(`${Array.isArray(m) ? JSON.stringify(m) : serialize(m)}\n`);
  const session = new Session(router, role, send, "stdio");
  const modern = new ModernRequests(router, () => session.role, send, session.owner);
  const receive = (value: unknown) => {
    if (!modern.take(value)) session.receive(value);
  };
  const splitter = new LineSplitter(
    (line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return send(
          errorResponse(null, {
            code: ErrorCode.ParseError,
            message: "Parse error: a line that is not JSON",
          }),
        );
      }
      receive(value);
    },
    MAX_MESSAGE,
    (bytes) => {
      router.observe.refused("size");
      send(
        errorResponse(null, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: message of ${bytes} bytes is over the ${MAX_MESSAGE}-byte limit`,
        }),
      );
    },
  );
  const reader = io.input.getReader();
  // The gateway closing (a signal, close()) ends the session while the client still holds stdin
  // open: stop reading then too, or the process would wait for an EOF that never comes.
  void session.ended.then(() => reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      splitter.push(value);
    }
  } catch {
    // stdin broke: the client is gone, same as EOF
  } finally {
    modern.closeAll();
    session.close();
    reader.releaseLock();
  }
}
