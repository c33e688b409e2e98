// The token file: tokens per server and registrations per authorization server, 0600, atomic, never trusted blindly.
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { errorMessage } from "../errors.ts";
import { addSecrets, log } from "../log.ts";

const Tokens = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  scope: z.string().optional(),
  expires_in: z.number().optional(),
  issuer: z.string().optional(),
});
const ServerRecord = z.strictObject({
  /** The server's URL when the tokens were stored: a changed URL never gets the old tokens. */
  url: z.string(),
  tokens: Tokens,
  /** When the access token expires (ms since the epoch), computed from expires_in at save time. */
  expires_at: z.number().optional(),
});
const ClientInfo = z.looseObject({
  client_id: z.string().min(1),
  client_secret: z.string().optional(),
  issuer: z.string().optional(),
});
const Registration = z.strictObject({
  issuer: z.string(),
  redirect_uri: z.string(),
  info: ClientInfo,
});
const StoreFile = z.strictObject({
  version: z.literal(1),
  servers: z.record(z.string(), ServerRecord),
  clients: z.array(Registration),
});

export type StoredTokens = z.output<typeof Tokens>;
export type ServerTokens = z.output<typeof ServerRecord>;
export type ClientRegistration = z.output<typeof Registration>;
type Data = z.output<typeof StoreFile>;

const empty = (): Data => ({ version: 1, servers: {}, clients: [] });

/** `$XDG_STATE_HOME/mcp-gateway` (default `~/.local/state/mcp-gateway`). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(base, "mcp-gateway");
}

/** Every value in the file that is a credential, for the log's masking. */
function secretsOf(data: Data): string[] {
  const out: string[] = [];
  for (const r of Object.values(data.servers)) {
    const t = r.tokens;
    for (const v of [t.access_token, t.refresh_token, t.id_token]) if (v) out.push(v);
  }
  for (const c of data.clients) if (c.info.client_secret) out.push(c.info.client_secret);
  return out;
}

/**
 * One token file. Every read goes to disk when the file changed (another gateway process or
 * `mcp-gateway login` may have written it); every write re-reads, changes one entry and renames a
 * fresh 0600 file over the old one, so a crash never leaves half a file.
 */
export class TokenStore {
  private cached = empty();
  private stamp = "";
  private warned = "";

  constructor(readonly file: string) {}

  /** The tokens stored for `server`, unless they were stored for another URL. */
  server(name: string, url: string): ServerTokens | undefined {
    const rec = Object.hasOwn(this.read().servers, name) ? this.read().servers[name] : undefined;
    return rec && rec.url === url ? rec : undefined;
  }

  setServer(name: string, rec: ServerTokens | undefined): void {
    this.update((d) => {
      if (rec) d.servers[name] = rec;
      else delete d.servers[name];
    });
  }

  /** Forget a server's tokens; false when there were none. */
  forget(name: string): boolean {
    const had = Object.hasOwn(this.read().servers, name);
    if (had) this.setServer(name, undefined);
    return had;
  }

  /** Client registrations made with the authorization server `issuer`, newest first. */
  registrations(issuer: string): ClientRegistration[] {
    return this.read()
      .clients.filter((c) => c.issuer === issuer)
      .reverse();
  }

  /** Keep `reg`, replacing a registration for the same issuer and redirect URI. */
  saveRegistration(reg: ClientRegistration): void {
    this.update((d) => {
      d.clients = d.clients.filter(
        (c) => !(c.issuer === reg.issuer && c.redirect_uri === reg.redirect_uri),
      );
      d.clients.push(reg);
    });
  }

  dropRegistration(issuer: string, clientId: string): void {
    this.update((d) => {
      d.clients = d.clients.filter((c) => !(c.issuer === issuer && c.info.client_id === clientId));
    });
  }

  private read(): Data {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(this.file);
    } catch {
      this.cached = empty();
      this.stamp = "";
      return this.cached;
    }
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (stamp === this.stamp) return this.cached;
    this.stamp = stamp;
    this.cached = this.parse();
    return this.cached;
  }

  /** The file's content, or nothing (logged out) with one warning when it is not ours to trust. */
  private parse(): Data {
    let data: Data;
    try {
      const parsed = StoreFile.safeParse(JSON.parse(readFileSync(this.file, "utf8")));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? "unexpected content");
      data = parsed.data;
    } catch (e) {
      // Never quote the content: a half-valid file may still hold tokens.
      const reason = e instanceof SyntaxError ? "not valid JSON" : errorMessage(e);
      const note = `${this.file}: token file unreadable (${reason}); treated as logged out, it is replaced at the next login`;
      if (note !== this.warned) log.warn(note);
      this.warned = note;
      return empty();
    }
    addSecrets(secretsOf(data));
    return data;
  }

  private update(change: (d: Data) => void): void {
    const data = structuredClone(this.read());
    change(data);
    addSecrets(secretsOf(data));
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${crypto.randomUUID()}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    // The mode given to writeFileSync is filtered by the umask; the file must be 0600 whatever it is.
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
    this.cached = data;
    const st = statSync(this.file);
    this.stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
  }
}

const stores = new Map<string, TokenStore>();

/** The store of `$XDG_STATE_HOME/mcp-gateway/oauth.json`, one instance per file in a process. */
export function tokenStore(dir = defaultStateDir()): TokenStore {
  const file = join(dir, "oauth.json");
  let store = stores.get(file);
  if (!store) {
    store = new TokenStore(file);
    stores.set(file, store);
  }
  return store;
}
