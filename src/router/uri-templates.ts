/**
 * Resource templates (RFC 6570) matched by the SDK's UriTemplate, loaded only when a URI must be
 * matched against one: the SDK package is large, and a gateway that never reads such a resource
 * (most stdio sessions) should not carry it.
 */
interface Matcher {
  match(uri: string): unknown;
}

let Ctor: (new (template: string) => Matcher) | undefined;
let loading: Promise<void> | undefined;
const compiled = new Map<string, Matcher | null>();

export function loadTemplates(): Promise<void> {
  loading ??= import("@modelcontextprotocol/server").then((m) => {
    Ctor = m.UriTemplate;
  });
  return loading;
}

/** Whether `uri` matches `template`; undefined while the matcher is not loaded yet. */
export function matchesTemplate(template: string, uri: string): boolean | undefined {
  if (!Ctor) return undefined;
  let m = compiled.get(template);
  if (m === undefined) {
    try {
      m = new Ctor(template);
    } catch {
      m = null; // listed, but never matched
    }
    compiled.set(template, m);
  }
  return m ? m.match(uri) !== null : false;
}
