// The injectable stdio streams of serveStdio as a pipe the test holds the other end of, so a test
// can be an in-process gateway's client without a subprocess: each message the gateway writes
// comes out parsed, each one the test sends goes in as one line.
import type { StdioIO } from "../../src/front/stdio.ts";

export interface StdioPipe {
  /** For serveStdio (or MCPGateway.serveStdio). */
  io: StdioIO;
  /** Writes one message to the gateway's input, as a JSON-RPC 2.0 line. */
  send(msg: object): void;
  /** Ends the gateway's input (the client leaving); once is enough, more are ignored. */
  end(): void;
}

/** A pipe whose gateway side hands each message it writes (as `T`, unchecked) to `onMessage`. */
export function stdioPipe<T>(onMessage: (msg: T) => void): StdioPipe {
  const encoder = new TextEncoder();
  let input: ReadableStreamDefaultController<Uint8Array> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      input = c;
    },
  });
  return {
    io: {
      input: stream,
      write(text) {
        for (const line of text.split("\n")) if (line) onMessage(JSON.parse(line) as T);
      },
    },
    send(msg) {
      input?.enqueue(encoder.encode(`${JSON.stringify({ jsonrpc: "2.0", ...msg })}\n`));
    },
    end() {
      try {
        input?.close();
      } catch {
        // Already closed, or the gateway already stopped reading.
      }
    },
  };
}
