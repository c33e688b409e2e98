/**
 * Names no route holds yet. The placeholder tool `_<server>_connect` starts and discovers its
 * server. A cold call — a tool or prompt name whose prefix names a configured server not
 * discovered yet (an empty schema cache, and a client holding a list from an earlier run) —
 * starts and discovers that server first, then is routed again; a name it does not list is
 * still unknown. A name the caller's role hides starts nothing.
 */
import type { ServerHandle } from "../backend/server.ts";
import type { Cancel, Owner } from "../backend/types.ts";
import { errorMessage } from "../errors.ts";
import { ErrorCode, RpcError } from "../jsonrpc.ts";
import { ok, type Reply, thrownReply, toolError } from "../replies.ts";
import type { Catalog, ServerEntry } from "./catalog.ts";
import type { Role } from "./roles.ts";
import type { View } from "./views.ts";

type Done = (reply: Reply) => void;

export const unknownTool = (name: unknown) =>
  new RpcError(ErrorCode.InvalidParams, `Unknown tool: ${String(name)}`);

export class ColdStart {
  constructor(
    private readonly catalog: Catalog,
    private readonly servers: () => readonly ServerEntry[],
    private readonly view: (role: Role) => View,
  ) {}

  /**
   * A tools/call of a name no route holds: a placeholder's server is started; a cold call
   * starts what the name could belong to and runs `again` (undefined: not again); else unknown.
   */
  tool(
    role: Role,
    name: unknown,
    done: Done,
    again: (() => Cancel | undefined) | undefined,
    owner?: Owner,
  ): Cancel | undefined {
    const placeholder = typeof name === "string" ? this.catalog.placeholders.get(name) : undefined;
    if (placeholder && this.view(role).servers.has(placeholder.name)) {
      void this.connect(placeholder, role, done, owner);
      return undefined;
    }
    const failed = (e: unknown) => toolError(errorMessage(e));
    const cold = again && this.run(role, name, done, again, failed, owner);
    if (!cold) throw unknownTool(name);
    return cold;
  }

  /**
   * The placeholder tool: start the server, discover its lists, say what it found. A
   * per_session server starts `owner`'s process, which its next calls use.
   */
  async connect(server: ServerHandle, role: Role, done: Done, owner?: Owner): Promise<void> {
    try {
      const lists = await server.discover(owner);
      const view = this.view(role);
      const names = (this.catalog.namesOf.get(server.name) ?? []).filter(
        (n) => view.toolNames.has(n) || view.promptNames.has(n),
      );
      const text =
        `Started server "${server.name}". ` +
        (names.length
          ? `Now available: ${names.join(", ")}.`
          : "It offers no tools or prompts this role can see.") +
        (lists.resources.length ? ` Resources: ${lists.resources.length}.` : "");
      done(ok({ content: [{ type: "text", text }] }));
    } catch (e) {
      done(toolError(errorMessage(e)));
    }
  }

  /**
   * The undiscovered servers `name` could belong to, as `role` reaches them: those whose prefix
   * it starts with, else (no prefix matches) those exposing names unprefixed.
   */
  candidates(role: Role, name: string): ServerHandle[] {
    // The role must allow the name itself: what it hides answers as unknown, at once.
    if (!role.allows(name)) return [];
    const visible = this.view(role).servers;
    const prefixed: ServerHandle[] = [];
    const bare: ServerHandle[] = [];
    for (const { handle, prefix } of this.servers()) {
      if (handle.lists !== undefined || !visible.has(handle.name)) continue;
      if (prefix === "") bare.push(handle);
      else if (name.startsWith(`${prefix}_`)) prefixed.push(handle);
    }
    return prefixed.length > 0 ? prefixed : bare;
  }

  /**
   * Discover what `name` could belong to, then run `again` (which must not start anything
   * itself). False when there is nothing to start. A failed start answers through `failed`.
   */
  run(
    role: Role,
    name: unknown,
    done: Done,
    again: () => Cancel | undefined,
    failed: (e: unknown) => Reply,
    owner?: Owner,
  ): Cancel | false {
    const handles = typeof name === "string" ? this.candidates(role, name) : [];
    if (handles.length === 0) return false;
    let cancelled = false;
    let inner: Cancel | undefined;
    Promise.all(handles.map((h) => h.discover(owner))).then(
      () => {
        if (cancelled) return;
        try {
          inner = again();
        } catch (e) {
          done(thrownReply(e));
        }
      },
      (e: unknown) => {
        if (!cancelled) done(failed(e));
      },
    );
    return () => {
      cancelled = true;
      inner?.();
    };
  }
}
