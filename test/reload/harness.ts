// The reload tests' scene: a real gateway (`stdio` or `serve`) on a config file the test rewrites,
// fixture backends whose pids are recorded, and calls held in flight across a reload. A held call
// is the fixture's `sample` tool: it waits for the client's answer to its sampling request, so it
// stays in flight for exactly as long as the test wants, with no sleep and no timing.

import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { fixtureCommand } from "../helpers/fixture.ts";
import { isAlive, waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import type { Message, RawClient } from "../reliability/raw.ts";
import { Scene } from "../reliability/scene.ts";

export { fixtureCommand, isAlive, textOf, waitFor };

export interface ConfigStatus {
  generation: number;
  file: string | null;
  watching: boolean;
  loaded_at: string;
  last_reload: { at: string; ok: boolean; error?: string; changes?: string[] } | null;
  restart_needed: string[];
  draining: { name: string; pid: number | null; in_flight: number }[];
}

export interface Status {
  config: ConfigStatus;
  servers: { name: string; pid: number | null; state: string; in_flight: number }[];
  plugins: string[];
  tool_search: { mode: string };
}

/** The text the fixture's `sample` tool answers with once the client samples `text`. */
export const sampled = (text: string) => text;

export class ReloadScene extends Scene {
  /** YAML is a superset of JSON: each rewrite is one write of the whole file, as an editor's save. */
  write(config: object): void {
    writeFileSync(this.config, JSON.stringify(config, null, 2));
  }

  /** A stdio gateway on this scene's config. */
  stdio(args: string[] = []): Promise<RawClient> {
    return this.gateway({ args });
  }
}

/** A fixture server entry, with its own extra flags. */
export const server = (flags: string[] = [], extra: object = {}) => ({
  ...fixtureCommand(flags),
  ...extra,
});

export async function status(gw: RawClient): Promise<Status> {
  const res = await gw.call("gateway_status");
  const s = res.result?.structuredContent as Status | undefined;
  if (!s) throw new Error(`no status: ${JSON.stringify(res)}`);
  return s;
}

/** Waits (bounded) until the status says `check`; returns that status. */
export async function until(
  gw: RawClient,
  check: (s: Status) => boolean,
  message: string,
  timeout = 15_000,
): Promise<Status> {
  return waitFor(
    async () => {
      const s = await status(gw);
      return check(s) ? s : undefined;
    },
    { timeout, interval: 50, message },
  );
}

/** The generation after the next reload: waits for the status to show a reload newer than `after`. */
export function reloaded(gw: RawClient, after: Status, message = "a reload"): Promise<Status> {
  const at = after.config.last_reload?.at ?? "";
  return until(gw, (s) => (s.config.last_reload?.at ?? "") > at, message);
}

/** The names tools/list gives this client. */
export async function toolNames(gw: RawClient): Promise<string[]> {
  const tools = (await gw.request("tools/list")).result?.tools;
  return ((tools ?? []) as { name: string }[]).map((t) => t.name);
}

/** Starts `name` (by calling its pid tool) and returns the backend's pid. */
export async function pidOf(gw: RawClient, tool: string): Promise<number> {
  const res = await gw.call(tool);
  const pid = Number(textOf(res));
  if (!Number.isInteger(pid)) throw new Error(`${tool}: ${JSON.stringify(res)}`);
  return pid;
}

/** Calls held in flight: `sample` calls whose sampling requests the test answers when it wants. */
export class Held {
  readonly ids: number[] = [];
  readonly calls: Promise<Message>[] = [];

  constructor(private readonly gw: RawClient) {}

  /** `n` calls spread over `tools` (each a `<prefix>_sample`), each sampling its own text. */
  start(tools: string[], n = 32): this {
    for (let i = 0; i < n; i++) {
      const tool = tools[i % tools.length] as string;
      const id = this.gw.id();
      this.ids.push(id);
      this.gw.send({
        id,
        method: "tools/call",
        params: { name: tool, arguments: { prompt: `call ${id}` } },
      });
      this.calls.push(this.gw.response(id, 60_000));
    }
    return this;
  }

  /** The sampling requests the gateway relayed so far (one per held call once all are in flight). */
  requests(): Message[] {
    return this.gw
      .messages()
      .filter((m) => m.method === "sampling/createMessage" && m.id !== undefined);
  }

  /** Waits until every held call has reached its backend (its sampling request came). */
  async inFlight(): Promise<void> {
    await this.gw.until(
      () => this.requests().length >= this.ids.length,
      `${this.ids.length} sampling requests`,
      30_000,
    );
  }

  /** Answers every sampling request: each call then finishes with the text it asked for. */
  release(): void {
    for (const r of this.requests()) {
      const prompt = JSON.stringify(r.params?.messages ?? "");
      const text = /call (\d+)/.exec(prompt)?.[0] ?? "?";
      this.gw.send({
        id: r.id ?? null,
        result: { role: "assistant", content: { type: "text", text }, model: "test" },
      });
    }
  }

  /** Releases the calls, waits for all, and checks each was answered once, with its own text. */
  async settle(): Promise<void> {
    this.release();
    const answers = await Promise.all(this.calls);
    for (const [i, res] of answers.entries()) {
      expect(res.error).toBeUndefined();
      expect(textOf(res)).toBe(`call ${this.ids[i]}`);
    }
  }

  /** Every held call got exactly one answer (checked after later traffic, so a late copy shows). */
  answeredOnce(): void {
    for (const id of this.ids) expect(this.gw.answers.get(id)?.length).toBe(1);
  }
}

/** Waits until `pid` has exited (bounded). */
export function gone(pid: number, message = `process ${pid} to exit`): Promise<boolean> {
  return waitFor(() => !isAlive(pid), { timeout: 15_000, message });
}

/** Methods of the notifications the client got, from message index `from` on. */
export function notifications(gw: RawClient, from = 0): string[] {
  return gw
    .messages()
    .slice(from)
    .filter((m) => m.method !== undefined && m.id === undefined)
    .map((m) => m.method as string);
}
