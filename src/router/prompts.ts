/**
 * Requests about prompts, routed by exposed name: prompts/get (a name no list holds yet may be a
 * cold call, cold.ts) and completion/complete (a prompt's argument here, a resource template's in
 * resources.ts).
 */
import type { Cancel } from "../backend/types.ts";
import { ErrorCode, type Params, RpcError } from "../jsonrpc.ts";
import { type Observer, watchedCancel } from "../observe/types.ts";
import { type Reply, thrownReply } from "../replies.ts";
import { type Catalog, type Route, serverOf } from "./catalog.ts";
import type { Client } from "./client.ts";
import type { ColdStart } from "./cold.ts";
import { asReply, type ResourceRoutes } from "./resources.ts";
import type { Role } from "./roles.ts";
import type { View } from "./views.ts";

type Done = (reply: Reply) => void;

const unknownPrompt = (name: unknown) =>
  new RpcError(ErrorCode.InvalidParams, `Unknown prompt: ${String(name)}`);

export class PromptRoutes {
  constructor(
    private readonly catalog: Catalog,
    private readonly view: (role: Role) => View,
    private readonly cold: ColdStart,
    private readonly resources: ResourceRoutes,
    private readonly observe: () => Observer,
  ) {}

  get(s: Client, p: Params | undefined, done: Done, warm = false): Cancel | undefined {
    const name = p?.name;
    const again = () => this.get(s, p, done, true);
    const cold =
      !warm &&
      !this.catalog.prompts.has(String(name)) &&
      this.cold.run(s.role, name, done, again, thrownReply, s.owner);
    if (cold) return cold;
    const route = this.visible(s.role, name, s);
    const watch = this.observe().call("prompt", s, serverOf(route), route.def.name);
    const params = { ...p, name: route.original };
    const cancel = route.target.forward("prompts/get", params, s, asReply(done, watch));
    return watch ? watchedCancel(watch, cancel) : cancel;
  }

  complete(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    const ref = p?.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
    if (ref?.type === "ref/prompt") {
      const route = this.visible(s.role, ref.name);
      return route.target.forward(
        "completion/complete",
        { ...p, ref: { ...ref, name: route.original } },
        s,
        asReply(done),
      );
    }
    if (ref?.type === "ref/resource") return this.resources.complete(s, p, ref.uri, done);
    throw new RpcError(
      ErrorCode.InvalidParams,
      "completion/complete needs params.ref of type ref/prompt or ref/resource",
    );
  }

  /**
   * A hidden prompt answers exactly like an unknown one. `asker`: whose get this is, reported
   * when the role hides the prompt.
   */
  private visible(role: Role, name: unknown, asker?: Client): Route {
    const route = typeof name === "string" ? this.catalog.prompts.get(name) : undefined;
    if (!route || !this.view(role).promptNames.has(name as string)) {
      if (route && asker) this.observe().denied("prompt", asker, name as string);
      throw unknownPrompt(name);
    }
    return route;
  }
}
