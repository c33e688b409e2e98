import { describe, expect, test } from "bun:test";
import { LineSplitter } from "../../src/lines.ts";

const enc = new TextEncoder();

function run(chunks: (string | Uint8Array)[], max?: number) {
  const lines: string[] = [];
  const dropped: number[] = [];
  const s = new LineSplitter(
    (l) => lines.push(l),
    max,
    (n) => dropped.push(n),
  );
  for (const c of chunks) s.push(c);
  return { lines, dropped };
}

/** Every way of cutting `text` into two chunks, as bytes. */
function cuts(text: string): Uint8Array[][] {
  const b = enc.encode(text);
  return Array.from({ length: b.length + 1 }, (_, i) => [b.subarray(0, i), b.subarray(i)]);
}

describe("LineSplitter", () => {
  test("lines cut anywhere, even inside a multi-byte character, come out whole", () => {
    const text = '{"a":"héllo ✓ 𝄞"}\n{"b":2}\r\n\n{"c":"日本"}\n';
    for (const chunks of cuts(text)) {
      expect(run(chunks).lines).toEqual(['{"a":"héllo ✓ 𝄞"}', '{"b":2}', '{"c":"日本"}']);
    }
  });

  test("a line in many one-byte chunks", () => {
    const b = enc.encode('{"x":"ünïcode"}\n');
    expect(run(Array.from(b, (x) => new Uint8Array([x]))).lines).toEqual(['{"x":"ünïcode"}']);
  });

  test("strings are accepted too; a trailing partial line waits for its newline", () => {
    const { lines } = run(["ab", "c\nde"]);
    expect(lines).toEqual(["abc"]);
  });

  test("sizes are bytes: an oversized line is dropped and reported, the next one survives", () => {
    const big = "é".repeat(6); // 12 bytes, 6 characters
    expect(run([`${big}\nok\n`], 10)).toEqual({ lines: ["ok"], dropped: [12] });
    const { lines, dropped } = run([big.slice(0, 3), big.slice(3), "é\nok\n"], 10);
    expect(lines).toEqual(["ok"]);
    expect(dropped.length).toBe(1);
    expect(dropped[0]).toBeGreaterThan(10);
  });

  test("an oversized line spread over many chunks is not kept in memory", () => {
    const s = new LineSplitter(
      () => {},
      100,
      () => {},
    );
    for (let i = 0; i < 50; i++) s.push(enc.encode("x".repeat(50)));
    // biome-ignore lint/suspicious/noExplicitAny: looking inside on purpose
    expect((s as any).parts.length).toBeLessThan(5);
  });
});
