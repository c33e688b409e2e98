/**
 * Where and why a JSON text is invalid. Bun's JSON.parse says only "Expected '}'"
 * with no position, and the YAML parser's reading of broken JSON is confusing,
 * so .json config files get this small strict scanner when JSON.parse fails.
 */
export interface JsonSyntaxError {
  offset: number;
  reason: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw new Stop(i, i >= text.length ? "unexpected end of file (a missing } or ]?)" : reason);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
    if (text.startsWith("//", i) || text.startsWith("/*", i))
      fail("comments are not allowed in JSON");
  };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("unterminated string");
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) fail("invalid escape in string");
        i = ESCAPE.lastIndex;
      } else if ((c ?? "") < " ") fail("line break or control character inside a string");
      else i++;
    }
  };
  const list = (close: "}" | "]", item: () => void) => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ",") fail(`expected "," or "${close}"`);
      i++;
      ws();
      if (text[i] === close) fail(`trailing comma before "${close}"`);
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      list("}", () => {
        ws();
        if (text[i] === "'") fail("strings must use double quotes");
        if (text[i] !== '"') fail("expected a property name in double quotes");
        string();
        ws();
        if (text[i] !== ":") fail('expected ":" after the property name');
        i++;
        value();
      });
    } else if (c === "[") list("]", value);
    else if (c === '"') string();
    else if (c === "'") fail("strings must use double quotes");
    else {
      for (const word of ["true", "false", "null"]) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return;
        }
      }
      NUMBER.lastIndex = i;
      if (NUMBER.test(text)) i = NUMBER.lastIndex;
      else fail(`unexpected ${JSON.stringify(c)}`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail("unexpected text after the end of the JSON value");
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}
