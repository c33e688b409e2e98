// Issue 7, soak: 4 HTTP clients, 3 backends, mixed calls with random cancellations while backends
// are killed with SIGKILL (pids from gateway_status), for SOAK_SECONDS (default 20 s here, to keep
// the suite short; SOAK_SECONDS=60 is the full run). Every call is answered exactly once,
// correctly or with an error naming its server; a cancelled call at most once; no client sees
// another's ids or progress; nothing is left running after the gateway exits.
import { afterAll, describe, expect, test } from "bun:test";
import { fixtureCommand } from "../helpers/fixture.ts";
import { isAlive } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { mulberry32 } from "./fuzz-gen.ts";
import { HttpClient } from "./http-client.ts";
import type { Message } from "./raw.ts";
import { Scene } from "./scene.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const SEED = Number(process.env.SOAK_SEED ?? 7);
const CLIENTS = 4;
/** Requests each client keeps in flight. */
const DEPTH = 4;
const SERVERS = ["s1", "s2", "s3"];

const scene = new Scene();
afterAll(() => scene.cleanup());

interface Sent {
  id: string;
  method: string;
  /** What a correct answer says (text of a tool result), when it is known. */
  expect?: string;
  /** The server a failure must name ("": any server); none: the call must not fail. */
  server?: string;
  cancelled: boolean;
  cut: boolean;
}

/** One call of the mix: a forwarded tool call, a read, a prompt, a list or the status tool. */
function pick(
  rnd: () => number,
  tag: string,
): { method: string; params: object; expect?: string; server?: string } {
  const server = SERVERS[Math.floor(rnd() * SERVERS.length)] ?? "s1";
  const r = rnd();
  if (r < 0.35)
    return {
      method: "tools/call",
      params: { name: `${server}_echo`, arguments: { text: tag } },
      expect: tag,
      server,
    };
  if (r < 0.5) {
    const [a, b] = [Math.floor(rnd() * 100), Math.floor(rnd() * 100)];
    return {
      method: "tools/call",
      params: { name: `${server}_add`, arguments: { a, b } },
      expect: String(a + b),
      server,
    };
  }
  if (r < 0.7) {
    const ms = 50 + Math.floor(rnd() * 400);
    const params = {
      name: `${server}_slow`,
      arguments: { ms },
      _meta: { progressToken: `${tag}-p` },
    };
    return { method: "tools/call", params, expect: `slept ${ms} ms`, server };
  }
  if (r < 0.78)
    return {
      method: "prompts/get",
      params: { name: `${server}_greet`, arguments: { name: tag } },
      server,
    };
  // Every backend has this resource; whichever serves it must be named in a failure.
  if (r < 0.86)
    return { method: "resources/read", params: { uri: "fixture://static" }, server: "" };
  if (r < 0.93) return { method: "tools/list", params: {} };
  return { method: "tools/call", params: { name: "gateway_status" } };
}

/** One client's loop: DEPTH requests at a time until the deadline, 1 in 8 cancelled at random. */
async function client(c: HttpClient, k: number, until: number): Promise<Sent[]> {
  const rnd = mulberry32(SEED * 31 + k);
  const sent: Sent[] = [];
  let n = 0;
  const lane = async () => {
    while (Date.now() < until) {
      const id = `c${k}-${n++}`;
      const call = pick(rnd, id);
      const cancel = rnd() < 0.125;
      const record: Sent = {
        id,
        method: call.method,
        expect: call.expect,
        server: call.server,
        cancelled: cancel,
        cut: false,
      };
      sent.push(record);
      const body = JSON.stringify({ jsonrpc: "2.0", id, method: call.method, params: call.params });
      const abort = new AbortController();
      const reply = c.post(body, { ids: [id], timeout: 30_000, signal: abort.signal });
      if (cancel) {
        await Bun.sleep(Math.floor(rnd() * 150));
        await c.notify("notifications/cancelled", { requestId: id, reason: "soak" });
        // No answer comes for a cancelled request: stop waiting for its stream soon after.
        setTimeout(() => abort.abort(), 200);
      }
      record.cut = (await reply).cut && !cancel;
    }
  };
  await Promise.all(Array.from({ length: DEPTH }, lane));
  return sent;
}

/** Every second or two, SIGKILL one running backend, found through gateway_status. */
async function killer(c: HttpClient, until: number): Promise<number[]> {
  const rnd = mulberry32(SEED);
  const killed: number[] = [];
  while (Date.now() < until - 1000) {
    await Bun.sleep(700 + Math.floor(rnd() * 1300));
    const status = (await c.call("gateway_status")).result?.structuredContent as
      | { servers: { name: string; pid: number | null }[] }
      | undefined;
    const pids = (status?.servers ?? []).map((s) => s.pid).filter((p): p is number => p !== null);
    const pid = pids[Math.floor(rnd() * pids.length)];
    if (pid === undefined) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed.push(pid);
    } catch {
      // Already gone.
    }
  }
  return killed;
}

/** What is wrong with the answers to one request, if anything. */
function problem(s: Sent, answers: Message[]): string | undefined {
  if (s.cancelled)
    return answers.length <= 1 ? undefined : `cancelled ${s.id}: ${answers.length} answers`;
  if (answers.length !== 1)
    return `${s.id} (${s.method}): ${answers.length} answers${s.cut ? ", stream cut" : ""}`;
  const [a] = answers;
  if (!a) return undefined;
  const failure = a.error?.message ?? (a.result?.isError === true ? textOf(a) : undefined);
  if (failure !== undefined) {
    if (s.server === undefined) return `${s.id} (${s.method}) failed: ${failure.slice(0, 200)}`;
    return failure.includes(`server "${s.server}`)
      ? undefined
      : `${s.id}: failure without its server: ${failure.slice(0, 200)}`;
  }
  if (s.expect !== undefined && textOf(a) !== s.expect)
    return `${s.id}: answered ${JSON.stringify(textOf(a)).slice(0, 100)}, expected ${s.expect}`;
  return undefined;
}

describe("soak", () => {
  test(
    `${CLIENTS} clients, ${SERVERS.length} backends, cancellations and kills for ${SECONDS} s`,
    async () => {
      const servers = Object.fromEntries(SERVERS.map((s) => [s, fixtureCommand()]));
      // s3 also stops when idle for a second, so idle stops race with the load too.
      scene.writeConfig({
        call_timeout: 10,
        servers: { ...servers, s3: { ...fixtureCommand(), idle_timeout: 1 } },
      });
      const { proc, url } = await scene.serve();
      const clients = Array.from({ length: CLIENTS }, () => new HttpClient(url));
      for (const c of clients) await c.initialize();
      const admin = new HttpClient(url);
      await admin.initialize();
      for (const s of SERVERS) await admin.call(`_${s}_connect`);

      const until = Date.now() + SECONDS * 1000;
      const [killed, ...sent] = await Promise.all([
        killer(admin, until),
        ...clients.map((c, k) => client(c, k, until)),
      ]);

      const problems: string[] = [];
      let answered = 0;
      let failed = 0;
      for (const [k, list] of sent.entries()) {
        const c = clients[k] as HttpClient;
        const ids = new Set(list.map((s) => s.id));
        for (const s of list) {
          const answers = c.answers.get(s.id) ?? [];
          const p = problem(s, answers);
          if (p) problems.push(p);
          else if (answers[0]?.error || answers[0]?.result?.isError) failed++;
          else if (answers.length) answered++;
        }
        // Nothing of another client's: ids and progress tokens are all this client's own.
        for (const id of c.answers.keys())
          if (id !== null && typeof id === "string" && id.startsWith("c") && !ids.has(id))
            problems.push(`client ${k} got an answer to ${id}`);
        for (const m of c.incoming)
          if (
            m.method === "notifications/progress" &&
            !String(m.params?.progressToken).startsWith(`c${k}-`)
          )
            problems.push(`client ${k} got progress ${String(m.params?.progressToken)}`);
      }
      const total = sent.reduce((n, l) => n + l.length, 0);
      console.log(
        `soak ${SECONDS} s: ${total} requests, ${answered} answered, ${failed} failed with an error, ${killed.length} backends killed`,
      );
      expect({ problems: problems.slice(0, 20), count: problems.length }).toEqual({
        problems: [],
        count: 0,
      });
      expect(killed.length).toBeGreaterThan(0);
      expect(answered).toBeGreaterThan(total / 2);

      // Still serving after all that, and then a clean exit with nothing left behind.
      const [first = admin] = clients;
      expect(textOf(await first.call("s1_echo", { text: "after the soak" }))).toBe(
        "after the soak",
      );
      const { code, left } = await scene.shutdown(proc, 15_000, "SIGTERM");
      expect({ code, left }).toEqual({ code: 0, left: [] });
      expect(scene.starts().filter(isAlive)).toEqual([]);
    },
    (SECONDS + 60) * 1000,
  );
});
