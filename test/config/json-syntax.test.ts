import { expect, test } from "bun:test";
import { findJsonSyntaxError } from "../../src/config/json-syntax.ts";

test("valid JSON has no error", () => {
  for (const t of ['{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]}', "[]", " 1 ", '"s"']) {
    expect(findJsonSyntaxError(t)).toBeUndefined();
  }
});

test("errors say where and why", () => {
  expect(findJsonSyntaxError('{"a": 1 "b": 2}')).toEqual({
    offset: 8,
    reason: 'expected "," or "}"',
  });
  expect(findJsonSyntaxError("[1, 2,]")).toEqual({
    offset: 6,
    reason: 'trailing comma before "]"',
  });
  expect(findJsonSyntaxError('{"a" 1}')?.reason).toBe('expected ":" after the property name');
  expect(findJsonSyntaxError("{a: 1}")?.reason).toBe("expected a property name in double quotes");
  expect(findJsonSyntaxError('{"a": "x\ny"}')?.reason).toBe(
    "line break or control character inside a string",
  );
  expect(findJsonSyntaxError('{"a": "\\q"}')?.reason).toBe("invalid escape in string");
  expect(findJsonSyntaxError("{} {}")?.reason).toBe(
    "unexpected text after the end of the JSON value",
  );
  expect(findJsonSyntaxError('{"a": [')?.reason).toBe("unexpected end of file (a missing } or ]?)");
  expect(findJsonSyntaxError('{"a": tru}')?.reason).toBe('unexpected "t"');
  expect(findJsonSyntaxError("/* c */ {}")?.reason).toBe("comments are not allowed in JSON");
});
