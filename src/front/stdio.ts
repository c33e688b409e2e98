import { ErrorCode, errorResponse, type RpcMessage } from "../jsonrpc.ts";
import { LineSplitter, lineWriter } from "../lines.ts";
import { serialize } from "../raw.ts";
import type { Role } from "../router/roles.ts";
import type { Router } from "../router/router.ts";
import { Session } from "../router/session.ts";

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
      session.receive(value);
    },
    MAX_MESSAGE,
    (bytes) =>
      send(
        errorResponse(null, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: message of ${bytes} bytes is over the ${MAX_MESSAGE}-byte limit`,
        }),
      ),
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
    session.close();
    reader.releaseLock();
  }
}
