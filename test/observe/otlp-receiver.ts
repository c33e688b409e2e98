// An OTLP/HTTP trace receiver for tests: protobuf (a minimal wire reader) or JSON, every span kept.

export type Value = string | number | boolean;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, Value>;
  links: { traceId: string; spanId: string }[];
  status: { code: number; message: string };
  resource: Record<string, Value>;
}

type Field = number | Uint8Array;

/** The fields of one protobuf message: number → values in order (varints as numbers). */
function fields(buf: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let shift = 1;
    for (;;) {
      const b = buf[i++] ?? 0;
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
      shift *= 128;
    }
  };
  while (i < buf.length) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    let v: Field;
    if (wire === 0) v = varint();
    else if (wire === 2) {
      const len = varint();
      v = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      v = buf.subarray(i, i + 8);
      i += 8;
    } else if (wire === 5) {
      v = buf.subarray(i, i + 4);
      i += 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    const list = out.get(no) ?? [];
    list.push(v);
    out.set(no, list);
  }
  return out;
}

const text = (v: Field | undefined) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : "");
const hex = (v: Field | undefined) =>
  v instanceof Uint8Array ? Buffer.from(v).toString("hex") : "";
const bytes = (v: Field | undefined) => (v instanceof Uint8Array ? v : new Uint8Array());

function anyValue(buf: Uint8Array): Value {
  const f = fields(buf);
  if (f.has(1)) return text(f.get(1)?.[0]);
  if (f.has(2)) return f.get(2)?.[0] === 1;
  if (f.has(3)) return Number(f.get(3)?.[0]);
  if (f.has(4)) return Buffer.from(bytes(f.get(4)?.[0])).readDoubleLE(0);
  return "";
}

function attributes(list: Field[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of list ?? []) {
    const f = fields(bytes(kv));
    out[text(f.get(1)?.[0])] = anyValue(bytes(f.get(2)?.[0]));
  }
  return out;
}

function fromProtobuf(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of fields(body).get(1) ?? []) {
    const r = fields(bytes(rs));
    const resource = attributes(fields(bytes(r.get(1)?.[0])).get(1));
    for (const ss of r.get(2) ?? [])
      for (const sp of fields(bytes(ss)).get(2) ?? []) {
        const s = fields(bytes(sp));
        const status = fields(bytes(s.get(15)?.[0]));
        spans.push({
          traceId: hex(s.get(1)?.[0]),
          spanId: hex(s.get(2)?.[0]),
          parentSpanId: hex(s.get(4)?.[0]),
          name: text(s.get(5)?.[0]),
          kind: Number(s.get(6)?.[0] ?? 0),
          attributes: attributes(s.get(9)),
          links: (s.get(13) ?? []).map((l) => {
            const lf = fields(bytes(l));
            return { traceId: hex(lf.get(1)?.[0]), spanId: hex(lf.get(2)?.[0]) };
          }),
          status: { code: Number(status.get(3)?.[0] ?? 0), message: text(status.get(2)?.[0]) },
          resource,
        });
      }
  }
  return spans;
}

interface JsonKv {
  key: string;
  value: Record<string, unknown>;
}
const jsonAttrs = (list: JsonKv[] | undefined): Record<string, Value> =>
  Object.fromEntries(
    (list ?? []).map(({ key, value }) => {
      const v = value.stringValue ?? value.boolValue ?? value.intValue ?? value.doubleValue ?? "";
      return [key, typeof v === "string" && "intValue" in value ? Number(v) : (v as Value)];
    }),
  );

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: JsonKv[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
}

function fromJson(body: string): ReceivedSpan[] {
  const parsed = JSON.parse(body) as {
    resourceSpans: {
      resource?: { attributes?: JsonKv[] };
      scopeSpans: { spans: JsonSpan[] }[];
    }[];
  };
  return parsed.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? "",
        name: s.name,
        kind: s.kind,
        attributes: jsonAttrs(s.attributes),
        links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
        resource: jsonAttrs(rs.resource?.attributes),
      })),
    ),
  );
}

export interface Receiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Every export body as text (protobuf bytes decoded leniently), for secret checks. */
  bodies: string[];
  contentTypes: string[];
  stop(): void;
}

export function otlpReceiver(): Receiver {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      if (req.method !== "POST" || new URL(req.url).pathname !== "/v1/traces")
        return new Response("not found", { status: 404 });
      const type = req.headers.get("content-type") ?? "";
      const body = new Uint8Array(await req.arrayBuffer());
      contentTypes.push(type);
      bodies.push(new TextDecoder().decode(body));
      spans.push(
        ...(type.includes("json") ? fromJson(new TextDecoder().decode(body)) : fromProtobuf(body)),
      );
      return type.includes("json")
        ? Response.json({})
        : new Response(new Uint8Array(), { headers: { "content-type": "application/x-protobuf" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    bodies,
    contentTypes,
    stop: () => void server.stop(true),
  };
}
