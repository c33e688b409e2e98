// A stand-in browser for $BROWSER: opens the URL it is given and follows redirects (keeping
// cookies, as an authorization server's login pages need) until the loopback callback has been
// fetched. Every URL it opened is appended to $FOLLOW_LOG, one per line, when that is set, and a
// line starting with "!" when it could not finish.
// Usage: BROWSER="bun test/oauth/follow-redirect.ts" (the URL is appended as the last argument).
import { appendFileSync } from "node:fs";

const start = process.argv[2];
if (!start) {
  console.error("follow-redirect: no URL");
  process.exit(2);
}
if (process.env.FOLLOW_LOG) appendFileSync(process.env.FOLLOW_LOG, `${start}\n`);
if (process.env.FOLLOW_MODE === "ignore") process.exit(0);

const fail = (why: string): never => {
  console.error(`follow-redirect: ${why}`);
  if (process.env.FOLLOW_LOG) appendFileSync(process.env.FOLLOW_LOG, `! ${why}\n`);
  process.exit(1);
};
process.on("uncaughtException", (e) => fail(String(e)));
process.on("unhandledRejection", (e) => fail(String(e)));

const jar = new Map<string, string>();
let url = new URL(start);
for (let hop = 0; hop < 20; hop++) {
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const eq = pair?.indexOf("=") ?? -1;
    if (pair && eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const body = await res.text();
  const location = res.headers.get("location");
  if (res.status >= 300 && res.status < 400 && location) {
    url = new URL(location, url);
    continue;
  }
  const done = url.hostname === "127.0.0.1" && url.pathname === "/callback";
  if (!done || res.status !== 200) {
    console.error(
      `follow-redirect: stopped at ${url.origin}${url.pathname}: ${res.status} ${body.slice(0, 300)}`,
    );
    process.exit(1);
  }
  process.exit(0);
}
console.error("follow-redirect: too many redirects");
process.exit(1);
