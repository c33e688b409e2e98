/**
 * The gateway's own `subscriptions/listen` stream to a modern backend: its list changes, and
 * updates of the resources clients watch. Re-opened whenever the watched set changes.
 */
import { GatewayError } from "../errors.ts";
import { log } from "../log.ts";
import type { ServerInfo } from "../protocol.ts";
import type { Connection } from "./connection.ts";

const flag = (v: unknown, key: string): boolean =>
  typeof v === "object" && v !== null && (v as Record<string, unknown>)[key] === true;

export class BackendListen {
  private id?: number;
  private conn?: Connection;

  constructor(private readonly server: string) {}

  /** (Re)open the stream on `conn` for what the backend offers and the URIs watched now. */
  open(conn: Connection, info: ServerInfo, uris: Iterable<string>): void {
    this.close();
    const c = info.capabilities;
    const notifications: Record<string, unknown> = {};
    if (flag(c.tools, "listChanged")) notifications.toolsListChanged = true;
    if (flag(c.prompts, "listChanged")) notifications.promptsListChanged = true;
    if (flag(c.resources, "listChanged")) notifications.resourcesListChanged = true;
    const watched = [...uris];
    if (flag(c.resources, "subscribe") && watched.length > 0)
      notifications.resourceSubscriptions = watched;
    if (Object.keys(notifications).length === 0) return;
    const id = conn.allocateId();
    this.id = id;
    this.conn = conn;
    conn.send(id, "subscriptions/listen", { notifications }, (o) => {
      if (this.id !== id) return;
      this.id = undefined;
      // A stream the backend ends on purpose answers with a result; anything else is worth a line.
      if (o instanceof GatewayError || o.error)
        log.debug(
          `server "${this.server}": listen stream ended: ${o instanceof GatewayError ? o.message : o.error?.message}`,
        );
    });
  }

  close(): void {
    const { id, conn } = this;
    this.id = undefined;
    this.conn = undefined;
    if (id !== undefined && conn && !conn.isClosed) conn.abandon(id, "listening again");
  }
}
