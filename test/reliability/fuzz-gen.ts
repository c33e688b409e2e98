// A seeded generator of malformed and adversarial client messages. Every case says what a correct
// gateway must do with it, so the fuzz test can check more than "it did not crash": a request with
// a fresh id is answered exactly once; one whose id is reused or cancelled at most twice or once.

/** mulberry32: a tiny fast PRNG; the same seed gives the same run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Expect = "once" | "at-most-once" | "at-most-twice" | "no-id";

export interface FuzzCase {
  /** One message's bytes, without the newline that frames it on stdio. */
  body: string | Uint8Array;
  kind: string;
  /** Ids this message carries whose answers the test counts. */
  ids: { id: string | number; expect: Expect }[];
}

export interface FuzzOptions {
  /** Exposed tool names that answer quickly (called with random arguments). */
  tools: string[];
  /** Names hidden from the client's role: must answer exactly like unknown ones. */
  hidden?: string[];
  /** Whether a JSON array of messages is a batch the session answers (protocol 2025-03-26). */
  batches?: boolean;
  /** Also use Object.prototype keys as method names (default true). */
  protoKeys?: boolean;
}

const METHODS = [
  "ping",
  "tools/list",
  "tools/call",
  "prompts/list",
  "prompts/get",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "completion/complete",
  "logging/setLevel",
  "sampling/createMessage",
  "roots/list",
  "nonexistent/method",
  "",
  "tools/call/extra",
  "TOOLS/LIST",
];
/** Keys every JavaScript object has: a method table that is a plain object finds them. */
export const PROTO_KEYS = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"];
const NOTIFICATIONS = [
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/roots/list_changed",
  "notifications/message",
  "notifications/unknown",
];

export class FuzzGen {
  private readonly rnd: () => number;
  private next = 0;
  /** Ids sent so far that may still be in flight: targets for reuse and cancellation. */
  private readonly recent: (string | number)[] = [];
  private readonly methods: string[];
  /** Numeric ids of two generators with different seeds never meet (below 2^53). */
  private readonly numericBase: number;
  private readonly notifications: string[];

  constructor(
    seed: number,
    private readonly opts: FuzzOptions,
    /** Prefix of generated ids, so two generators never share one. */
    private readonly tag = `f${seed}`,
  ) {
    this.rnd = mulberry32(seed);
    this.numericBase = ((seed >>> 0) % 1_000_003) * 1_000_000_000 + 1;
    const proto = opts.protoKeys === false ? [] : PROTO_KEYS;
    this.methods = [...METHODS, ...proto];
    this.notifications = [...NOTIFICATIONS, ...proto];
  }

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  private string(max = 40): string {
    const alphabets = [
      "abcdefghijklmnopqrstuvwxyz_/-",
      '\u0000\u0001\u001f"\\\n\r\t',
      "\u00e9\u4e2d\u{1f600}\ud800\udfff\ufffd",
      "{}[]:,0123456789",
    ];
    const alphabet = [...this.pick(alphabets)];
    let s = "";
    for (let i = this.int(max); i > 0; i--) s += this.pick(alphabet);
    return s;
  }

  /** Any JSON value, nested up to `depth`. */
  value(depth = 3): unknown {
    const r = this.int(depth > 0 ? 9 : 6);
    switch (r) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE]);
      case 3:
        return this.string();
      case 4:
        return this.pick(["", "a".repeat(this.int(5000)), "\u0000"]);
      case 5:
        return this.int(1000);
      case 6:
        return Array.from({ length: this.int(5) }, () => this.value(depth - 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--)
          o[this.pick(["a", "name", "uri", "_meta", "__proto__", "constructor", this.string(8)])] =
            this.value(depth - 1);
        return o;
      }
    }
  }

  private freshId(): string | number {
    const n = this.next++;
    return this.chance(0.5) ? `${this.tag}-${n}` : this.numericBase + n;
  }

  private remember(id: string | number): void {
    this.recent.push(id);
    if (this.recent.length > 50) this.recent.shift();
  }

  private nested(depth: number): string {
    return `${"[".repeat(depth)}${"]".repeat(depth)}`;
  }

  /** Params a real method might get: right shape with wrong values, or wrong types outright. */
  private params(method: string): unknown {
    if (this.chance(0.15)) return this.value(2);
    const tools = [...this.opts.tools, ...(this.opts.hidden ?? []), "nope_tool", "_nope_connect"];
    switch (method) {
      case "tools/call":
        return {
          name: this.chance(0.9) ? this.pick(tools) : this.value(1),
          arguments: this.chance(0.8)
            ? { text: this.string(), a: this.value(1), b: this.int(100), ms: this.int(30) }
            : this.value(2),
          ...(this.chance(0.2) ? { _meta: { progressToken: this.value(1) } } : {}),
        };
      case "resources/read":
      case "resources/subscribe":
      case "resources/unsubscribe":
        return {
          uri: this.pick(["fixture://static", "fixture://item/1", "nope://x", this.value(1)]),
        };
      case "prompts/get":
        return { name: this.pick(["good_greet", "nope", this.value(1)]), arguments: this.value(1) };
      case "completion/complete":
        return { ref: this.value(1), argument: { name: "name", value: this.string(3) } };
      default:
        return this.chance(0.5) ? { cursor: this.value(0) } : {};
    }
  }

  /** A request with a fresh id; answered exactly once by a correct gateway. */
  private request(): { msg: Record<string, unknown>; id: string | number } {
    const method = this.pick(this.methods);
    const id = this.freshId();
    this.remember(id);
    return { msg: { jsonrpc: "2.0", id, method, params: this.params(method) }, id };
  }

  /** A notification; cancelling a recent request relaxes what that request expects. */
  private notification(): { msg: Record<string, unknown>; ids: FuzzCase["ids"] } {
    const method = this.pick(this.notifications);
    if (method === "notifications/cancelled" && this.recent.length > 0 && this.chance(0.7)) {
      const requestId = this.pick(this.recent);
      const msg = { jsonrpc: "2.0", method, params: { requestId, reason: "fuzz" } };
      return { msg, ids: [{ id: requestId, expect: "at-most-once" }] };
    }
    const params =
      method === "notifications/cancelled"
        ? { requestId: this.value(1), reason: "fuzz" }
        : method === "notifications/progress"
          ? { progressToken: this.value(0), progress: this.value(0) }
          : this.value(1);
    return { msg: { jsonrpc: "2.0", method, params }, ids: [] };
  }

  /** One case. Cancellation and reuse relax the expectation on the ids they touch. */
  case(): FuzzCase {
    const r = this.int(100);
    if (r < 8) return this.bytes();
    if (r < 16) return this.truncated();
    if (r < 22) return { body: JSON.stringify(this.value(3)), kind: "any-json", ids: [] };
    if (r < 30) return this.badEnvelope();
    if (r < 62) {
      const { msg, id } = this.request();
      return {
        body: JSON.stringify(msg),
        kind: `request ${msg.method}`,
        ids: [{ id, expect: "once" }],
      };
    }
    if (r < 74) {
      const { msg, ids } = this.notification();
      return { body: JSON.stringify(msg), kind: `notification ${msg.method}`, ids };
    }
    if (r < 80) return this.reuse();
    if (r < 85) return this.response();
    if (r < 92) return this.batch();
    if (r < 96) return this.deep();
    return this.large();
  }

  private bytes(): FuzzCase {
    const out = new Uint8Array(1 + this.int(200));
    for (let i = 0; i < out.length; i++) {
      const b = this.int(256);
      out[i] = b === 0x0a ? 0xff : b;
    }
    return { body: out, kind: "random bytes", ids: [] };
  }

  private truncated(): FuzzCase {
    const { msg } = this.request();
    const text = JSON.stringify(msg);
    // The id is in the cut text or not; either way the gateway can only answer a parse error.
    this.recent.pop();
    return { body: text.slice(0, 1 + this.int(text.length - 1)), kind: "truncated", ids: [] };
  }

  /** Invalid-UTF-8 bytes inside an otherwise valid request: decoded as U+FFFD and answered. */
  private invalidUtf8(): FuzzCase {
    const id = this.freshId();
    const head = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"ping","params":{"x":"`;
    const bad = this.pick([
      [0xff],
      [0xc3, 0x28],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0xed, 0xa0, 0x80],
    ]);
    const body = new Uint8Array([
      ...new TextEncoder().encode(head),
      ...bad,
      ...new TextEncoder().encode('"}}'),
    ]);
    return { body, kind: "invalid utf-8 in a string", ids: [{ id, expect: "once" }] };
  }

  private badEnvelope(): FuzzCase {
    const id = this.freshId();
    const variants: [Record<string, unknown>, Expect][] = [
      [{ id, method: "ping" }, "once"],
      [{ jsonrpc: "1.0", id, method: "ping" }, "once"],
      [{ jsonrpc: "2.0", id, method: this.value(1) }, "once"],
      [{ jsonrpc: "2.0", id, method: "tools/list", params: this.pick([[], "x", 5, true]) }, "once"],
      [{ jsonrpc: "2.0", id: this.pick([{}, [], true, 1.5e300]), method: "ping" }, "no-id"],
      [{ jsonrpc: "2.0" }, "no-id"],
      [{ jsonrpc: "2.0", id }, "once"],
      [{ jsonrpc: "2.0", id, method: "ping", result: {} }, "once"],
    ];
    if (this.chance(0.2)) return this.invalidUtf8();
    const [msg, expect] = this.pick(variants);
    return {
      body: JSON.stringify(msg),
      kind: "bad envelope",
      ids: expect === "no-id" ? [] : [{ id, expect }],
    };
  }

  /** An id that is (or just was) in flight, sent again: the copy gets an error or an answer. */
  private reuse(): FuzzCase {
    const id = this.recent.length > 0 ? this.pick(this.recent) : this.freshId();
    const msg = { jsonrpc: "2.0", id, method: "ping" };
    return { body: JSON.stringify(msg), kind: "reused id", ids: [{ id, expect: "at-most-twice" }] };
  }

  /** A response from the client to a request the gateway never sent. */
  private response(): FuzzCase {
    const id = this.pick<unknown>([this.int(10), "x", null, 999_999, this.value(0)]);
    const msg = this.chance(0.5)
      ? { jsonrpc: "2.0", id, result: this.value(2) }
      : { jsonrpc: "2.0", id, error: { code: this.value(0), message: this.value(0) } };
    return { body: JSON.stringify(msg), kind: "stray response", ids: [] };
  }

  private batch(): FuzzCase {
    const items: unknown[] = [];
    const ids: FuzzCase["ids"] = [];
    for (let i = this.int(6); i > 0; i--) {
      if (this.chance(0.6)) {
        const { msg, id } = this.request();
        items.push(msg);
        // Outside 2025-03-26 the whole batch gets one error and its items no answer.
        ids.push({ id, expect: this.opts.batches ? "once" : "at-most-once" });
      } else if (this.chance(0.5)) {
        const n = this.notification();
        items.push(n.msg);
        ids.push(...n.ids);
      } else items.push(this.value(1));
    }
    if (this.chance(0.1)) items.push(items.slice());
    return { body: JSON.stringify(items), kind: "batch", ids };
  }

  /** Deeply nested params on a forwarded call: must be answered, not crash or stall anything. */
  private deep(): FuzzCase {
    const id = this.freshId();
    const depth = 100 + this.int(2000);
    const name = this.pick(this.opts.tools);
    const body = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":{"name":"${name}","arguments":{"text":"deep","d":${this.nested(depth)}}}}`;
    return { body, kind: "deep nesting", ids: [{ id, expect: "once" }] };
  }

  private large(): FuzzCase {
    const id = this.freshId();
    const msg = {
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: {
        name: this.pick(this.opts.tools),
        arguments: { text: "y".repeat(this.int(256 * 1024)) },
      },
    };
    return { body: JSON.stringify(msg), kind: "large", ids: [{ id, expect: "once" }] };
  }
}
