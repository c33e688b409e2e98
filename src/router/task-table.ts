/**
 * The tasks created through the gateway: each gets a gateway task id (random, unguessable) bound
 * to its owner (the creating client's token, else its session) and mapped to (backend process,
 * backend task id). A task lives until its ttl passes, its owner's session ends (tokenless), or its
 * backend stops or restarts, which loses it: the gateway then answers for it, naming the server.
 */
import { randomUUID } from "node:crypto";
import type { Lane } from "../backend/lane.ts";
import type { RpcResponse } from "../jsonrpc.ts";
import type { Client } from "./client.ts";
import { Session } from "./session.ts";
import { type Json, TERMINAL } from "./task-shapes.ts";

export interface TaskEntry {
  readonly id: string;
  /** The backend process that made it (a per_session server's: its session's), for its life. */
  readonly server: Lane;
  readonly backendId: string;
  readonly owner: string;
  /** Created by a modern client: answered in the 2026-07-28 extension's shapes. */
  readonly modern: boolean;
  /** A modern client's task on a legacy backend (task-bridge.ts). */
  readonly bridged: boolean;
  /** Which start of the backend holds it: another one (a restart) does not know it. */
  readonly generation: number;
  /** The creating legacy session, while it is open: where status notifications go. */
  origin?: Session;
  /** Legacy clients waiting in tasks/result for it (where the backend's requests for it go). */
  readonly waiting: Client[];
  /** The backend's latest word on it (a Task, its own id in it). */
  last?: Json;
  /** Its result as the backend gave it in tasks/result, kept so a stopped backend loses nothing. */
  final?: RpcResponse;
  /** Why it is lost (its backend stopped or restarted). */
  lost?: string;
  /** Holding its backend against the idle stop (until a terminal status is seen through). */
  held: boolean;
  timer?: Timer;
}

/** Who may see a task: the token that created it, else the session; tokenless modern: anyone with the id. */
export const ownerOf = (c: Client): string =>
  c.principal !== ""
    ? `token ${c.principal}`
    : c instanceof Session
      ? `session ${c.id}`
      : "anonymous";

const key = (server: string, backendId: string) => `${server}\u0000${backendId}`;

export class TaskTable {
  private readonly byId = new Map<string, TaskEntry>();
  private readonly byBackend = new Map<string, TaskEntry>();

  get size(): number {
    return this.byId.size;
  }

  /** Map a task a backend just created for `client`; `task` is the backend's Task. */
  create(client: Client, server: Lane, task: Json): TaskEntry {
    const backendId = String(task.taskId);
    const entry: TaskEntry = {
      id: randomUUID(),
      server,
      backendId,
      owner: ownerOf(client),
      modern: client.modern === true,
      bridged: client.modern === true && server.info?.era !== "modern",
      generation: server.stats.starts,
      waiting: [],
      last: task,
      held: true,
    };
    if (client instanceof Session) entry.origin = client;
    server.hold();
    const ttl = typeof task.ttl === "number" ? task.ttl : task.ttlMs;
    // Past its ttl the backend may forget it; so does the gateway (the timer does not keep us up).
    if (typeof ttl === "number" && ttl >= 0) {
      entry.timer = setTimeout(() => this.drop(entry), ttl);
      entry.timer.unref?.();
    }
    this.byId.set(entry.id, entry);
    this.byBackend.set(key(server.key, backendId), entry);
    if (TERMINAL.has(String(task.status))) this.release(entry);
    return entry;
  }

  /** The task `id` if `client` may see it (same owner, same era); anything else is unknown. */
  find(client: Client, id: unknown): TaskEntry | undefined {
    const entry = typeof id === "string" ? this.byId.get(id) : undefined;
    if (!entry || entry.owner !== ownerOf(client) || entry.modern !== (client.modern === true))
      return undefined;
    this.check(entry);
    return entry;
  }

  /**
   * The entry of a backend's own task id (status notifications, the backend's requests), by the
   * key of the process that sent it: two sessions' processes may use the same ids.
   */
  fromBackend(lane: string, backendId: string): TaskEntry | undefined {
    const entry = this.byBackend.get(key(lane, backendId));
    if (entry) this.check(entry);
    return entry;
  }

  /** Every task `client` may see, oldest first. */
  ownedBy(client: Client): TaskEntry[] {
    const owner = ownerOf(client);
    const modern = client.modern === true;
    const out: TaskEntry[] = [];
    for (const e of this.byId.values())
      if (e.owner === owner && e.modern === modern) {
        this.check(e);
        out.push(e);
      }
    return out;
  }

  /** The backend's latest Task for `entry`; a terminal one that needs no result fetched releases it. */
  seen(entry: TaskEntry, task: Json, resultPending = true): void {
    entry.last = task;
    if (TERMINAL.has(String(task.status)) && (!resultPending || task.status === "cancelled"))
      this.release(entry);
  }

  /** The backend need not stay up for `entry` any more. */
  release(entry: TaskEntry): void {
    if (!entry.held) return;
    entry.held = false;
    entry.server.release();
  }

  drop(entry: TaskEntry): void {
    clearTimeout(entry.timer);
    this.release(entry);
    this.byId.delete(entry.id);
    this.byBackend.delete(key(entry.server.key, entry.backendId));
  }

  /** A session ended: its tokenless tasks can never be reached again; token tasks stay. */
  closed(session: Session): void {
    for (const e of [...this.byId.values()]) {
      if (e.origin === session) e.origin = undefined;
      if (e.owner === `session ${session.id}`) this.drop(e);
    }
  }

  /** Marks `entry` lost when the backend process that held it is gone. */
  private check(entry: TaskEntry): void {
    if (entry.lost !== undefined) return;
    const { server } = entry;
    const restarted = server.stats.starts !== entry.generation;
    if (!restarted && server.running) return;
    const state = server.displayState;
    const how = restarted && server.running ? "restarted" : `stopped (${state})`;
    // Only a failure says why: the last error of an older start is no reason for an idle stop.
    const failed = state === "failed" || state === "backing off";
    const why = failed && server.lastError ? `: ${server.lastError.split("\n")[0]}` : "";
    entry.lost = `server "${server.name}" ${how} after the task was created, and the task with it${why}`;
    this.release(entry);
  }
}

/** `task` (a legacy Task, its own id in it) as lost: failed, unless it had ended already. */
export function lostTask(entry: TaskEntry): Json {
  const last = entry.last ?? {};
  if (TERMINAL.has(String(last.status))) return { ...last, taskId: entry.id };
  return {
    ...last,
    taskId: entry.id,
    status: "failed",
    statusMessage: entry.lost,
    lastUpdatedAt: new Date().toISOString(),
  };
}
