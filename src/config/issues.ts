/**
 * zod issues → what a person fixing the file needs: the key path, whether the
 * key or the value is wrong, and one sentence. Values are not echoed: after
 * `${VAR}` expansion a value may be a secret.
 */
import { z } from "zod";
import type { KeyPath } from "./expand.ts";

export interface ConfigProblem {
  path: KeyPath;
  /** "key": the key itself is wrong (unknown, bad name); else its value. */
  at: "key" | "value";
  message: string;
  kind?: "unknown-key" | "missing-key";
}

type Issue = z.core.$ZodIssue;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export function valueAt(data: unknown, path: KeyPath): unknown {
  let v = data;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === "number") v = v[seg];
    else if (isRecord(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}

/**
 * For a union, the branch the input meant: the option whose required key the
 * input has (servers: `url` → remote, else stdio); the first one otherwise.
 */
function pickBranch(union: z.ZodUnion, value: unknown): z.ZodType | undefined {
  const options = union.options as readonly z.ZodType[];
  const required = (o: z.ZodType) =>
    o instanceof z.ZodObject
      ? Object.entries(o.shape)
          .filter(([, s]) => !(s instanceof z.ZodOptional || s instanceof z.ZodDefault))
          .map(([k]) => k)
      : [];
  if (!isRecord(value)) return options[0];
  const meant = options.slice(1).find((o) => required(o).some((k) => k in value));
  return meant ?? options[0];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  while (
    cur instanceof z.ZodOptional ||
    cur instanceof z.ZodDefault ||
    cur instanceof z.ZodNullable
  ) {
    cur = cur.unwrap() as z.ZodType;
  }
  return cur;
}

/** The schema that validates the value at `path` (unions resolved by the input). */
function schemaAt(root: z.ZodType, data: unknown, path: KeyPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (let i = 0; i <= path.length && s; i++) {
    s = unwrap(s);
    if (s instanceof z.ZodUnion) s = pickBranch(s, valueAt(data, path.slice(0, i)));
    if (!s || i === path.length) break;
    s = unwrap(s);
    const seg = path[i];
    if (s instanceof z.ZodObject) s = s.shape[String(seg)] as z.ZodType | undefined;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else return undefined;
  }
  return s && unwrap(s);
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  null: "null",
};

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "boolean") return "a boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
  return `a ${typeof v}`;
}

function bound(
  kind: "at least" | "at most",
  strict: "greater than" | "less than",
  origin: string,
  n: number | bigint,
  inclusive: boolean | undefined,
) {
  if (origin === "string")
    return n === 1 && kind === "at least"
      ? "must not be empty"
      : `must be ${kind} ${n} characters long`;
  if (origin === "array") return `must have ${kind} ${n} item${n === 1 ? "" : "s"}`;
  return `must be ${inclusive ? kind : strict} ${n}`;
}

function explain(issue: Issue, root: z.ZodType, data: unknown): ConfigProblem[] {
  const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
  const problem = (message: string, at: "key" | "value" = "value", p = path) => [
    { path: p, at, message },
  ];
  switch (issue.code) {
    case "invalid_type": {
      const parentPath = path.slice(0, -1);
      const key = path.at(-1);
      const value = valueAt(data, path);
      if (value === undefined && key !== undefined && isRecord(valueAt(data, parentPath))) {
        const message = `missing required key "${key}"`;
        return [{ path: parentPath, at: "key", message, kind: "missing-key" }];
      }
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return problem(`expected ${expected}, got ${typeOf(value)}`);
    }
    case "unrecognized_keys": {
      const s = schemaAt(root, data, path);
      const allowed = s instanceof z.ZodObject ? Object.keys(s.shape).join(", ") : "";
      return issue.keys.map((k) => ({
        path: [...path, k],
        at: "key" as const,
        kind: "unknown-key" as const,
        message: `unknown key "${k}"${allowed ? `; expected one of ${allowed}` : ""}`,
      }));
    }
    case "invalid_union": {
      const value = valueAt(data, path);
      const s = schemaAt(root, data, path);
      if (!isRecord(value)) {
        const server = s instanceof z.ZodObject && "command" in s.shape;
        const what = server ? ' with "command" (a stdio server) or "url" (a remote server)' : "";
        return problem(`expected a mapping${what}, got ${typeOf(value)}`);
      }
      const r = s?.safeParse(value);
      if (!s || !r || r.success) return problem("does not match any allowed form");
      return r.error.issues.flatMap((i) =>
        explain({ ...i, path: [...path, ...i.path] } as Issue, root, data),
      );
    }
    case "invalid_key": {
      const inner = issue.issues[0];
      const why = inner ? explain({ ...inner, path: [] } as Issue, root, data)[0]?.message : "";
      return problem(`invalid name "${path.at(-1)}": ${why ?? "not allowed"}`, "key");
    }
    case "too_small":
      return problem(
        bound("at least", "greater than", issue.origin, issue.minimum, issue.inclusive),
      );
    case "too_big":
      return problem(bound("at most", "less than", issue.origin, issue.maximum, issue.inclusive));
    case "invalid_value":
      return problem(`expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`);
    case "invalid_format":
      if (issue.format === "url") return problem("expected a URL such as https://host/mcp");
      // Our regexes carry a readable message; zod's own ones say "Invalid string".
      return problem(issue.format === "regex" ? issue.message : `expected a ${issue.format}`);
    case "custom": {
      const at = issue.params?.at === "key" ? "key" : "value";
      return problem(issue.message, at);
    }
    default:
      return problem(issue.message);
  }
}

/**
 * Every problem of a failed parse of `data` against `root`. A missing key is
 * left out when its object has an unknown key: the typo is the news.
 */
export function configProblems(
  issues: readonly Issue[],
  root: z.ZodType,
  data: unknown,
): ConfigProblem[] {
  const all = issues.flatMap((i) => explain(i, root, data));
  const unknownIn = new Set(
    all.filter((p) => p.kind === "unknown-key").map((p) => JSON.stringify(p.path.slice(0, -1))),
  );
  return all.filter((p) => !(p.kind === "missing-key" && unknownIn.has(JSON.stringify(p.path))));
}

/** `servers.fs.env["A.B"]`, `plugins[0].module`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
