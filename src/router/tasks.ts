/**
 * Task routing: 2025-11-25 tasks, and the 2026-07-28 tasks extension. A task-augmented
 * tools/call creates a task at the backend, which the gateway maps to a task id of its own that
 * only the owner can use (task-table.ts); tasks/get, tasks/result, tasks/list, tasks/cancel and
 * the extension's tasks/update go to the backend holding the task, with its id swapped in and
 * out; its status notifications and its requests (relay.ts) go to the owner. A modern client's
 * task on a legacy backend is bridged (task-bridge.ts).
 */
import type { Lane } from "../backend/lane.ts";
import type { Cancel, TaskCaller } from "../backend/types.ts";
import { ModernError } from "../era/errors.ts";
import { GatewayError } from "../errors.ts";
import { ErrorCode, type Params, RpcError } from "../jsonrpc.ts";
import { gatewayFailure, ok, type Reply, thrownReply, toolError } from "../replies.ts";
import type { Route } from "./catalog.ts";
import type { Client } from "./client.ts";
import { page } from "./pagination.ts";
import type { Session } from "./session.ts";
import { TaskBridge } from "./task-bridge.ts";
import { declaresTasks, isObject, type Json, swapTaskId, TASKS_EXTENSION } from "./task-shapes.ts";
import { lostTask, type TaskEntry, TaskTable } from "./task-table.ts";

type Done = (reply: Reply) => void;
type Handler = (s: Client, p: Params | undefined, done: Done) => Cancel | undefined;

const notFound = () =>
  new RpcError(ErrorCode.InvalidParams, "Failed to retrieve task: Task not found");
const notInEra = (method: string) =>
  new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
const missingTasks = (why: string) =>
  new RpcError(
    ModernError.MissingRequiredClientCapability,
    `Missing required client capability: ${TASKS_EXTENSION}${why}`,
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
  );
/** Status notifications that may come before their CreateTaskResult are kept this many per server. */
const EARLY_MAX = 64;

export class Tasks {
  readonly table = new TaskTable();
  private readonly bridge = new TaskBridge(this.table);
  /** Per backend process: task creations in flight, and status notifications of tasks not mapped yet. */
  private readonly early = new Map<string, { creating: number; held: Json[] }>();

  readonly handlers: Record<string, Handler> = {
    "tasks/get": (s, p, done) => this.get(s, p, done),
    "tasks/result": (s, p, done) => this.result(s, p, done),
    "tasks/list": (s, p, done) => this.list(s, p, done),
    "tasks/cancel": (s, p, done) => this.cancel(s, p, done),
    "tasks/update": (s, p, done) => this.update(s, p, done),
  };

  /**
   * A tools/call that may make a task; false when it cannot (the router forwards it as usual).
   * Ordinary calls cost a property read or two here.
   */
  call(
    s: Client,
    route: Route,
    params: Params | undefined,
    done: Done,
  ): Cancel | undefined | false {
    if (!route.server || (params?.task === undefined && s.modern !== true)) return false;
    // The task belongs to the process that makes it (a per_session server's: this session's).
    const server = route.server.bind(s.owner);
    if (server instanceof GatewayError) return void done(toolError(server.message));
    if (s.modern !== true) return this.create(s, server, params, done, (r) => r.result?.task);
    if (server.info?.era !== "modern") {
      // A legacy backend's tool that runs only as a task: the extension's client gets one.
      const execution = route.def.execution as { taskSupport?: unknown } | undefined;
      if (execution?.taskSupport !== "required") return false;
      if (!declaresTasks(s.capabilities))
        throw missingTasks(` (tool ${String(params?.name)} runs only as a task)`);
      return this.bridge.create(s, server, params, done);
    }
    if (!declaresTasks(s.capabilities)) return false;
    return this.create(s, server, params, done, (r) =>
      r.result?.resultType === "task" ? r.result : undefined,
    );
  }

  /** Forward a call that may create a task; a task in its answer (found by `taskOf`) is mapped. */
  private create(
    s: Client,
    server: Lane,
    params: Params | undefined,
    done: Done,
    taskOf: (r: Reply) => unknown,
  ): Cancel {
    const early = this.earlyOf(server.key);
    early.creating++;
    let open = true;
    const settle = () => {
      if (!open) return;
      open = false;
      // Nothing is held once no creation is in flight (per_session keys come and go with sessions).
      if (--early.creating === 0) this.early.delete(server.key);
    };
    const cancel = server.forward("tools/call", params, s, (o) => {
      if (o instanceof GatewayError) {
        settle();
        return done(toolError(o.message));
      }
      const task = taskOf(o);
      if (!isObject(task) || typeof task.taskId !== "string") {
        settle();
        return done(o);
      }
      const entry = this.table.create(s, server, task);
      // What the backend said of the task before it answered reaches the client before, too.
      const before = early.held.filter((n) => n.taskId === entry.backendId);
      early.held = early.held.filter((n) => n.taskId !== entry.backendId);
      settle();
      for (const n of before) this.status(server.key, n);
      done(swapTaskId(o, entry.backendId, entry.id));
    });
    return () => {
      settle();
      cancel();
    };
  }

  private earlyOf(server: string): { creating: number; held: Json[] } {
    let e = this.early.get(server);
    if (!e) {
      e = { creating: 0, held: [] };
      this.early.set(server, e);
    }
    return e;
  }

  private find(s: Client, p: Params | undefined): TaskEntry {
    // The extension's methods are for clients that declared it, on this very request.
    if (s.modern && !declaresTasks(s.capabilities)) throw missingTasks("");
    const entry = this.table.find(s, p?.taskId);
    if (!entry) throw notFound();
    return entry;
  }

  /** The backend's answer about `entry`, with the client's task id in it. */
  private answer(entry: TaskEntry, done: Done, seen?: (result: Json) => void) {
    return (o: GatewayError | Reply) => {
      if (o instanceof GatewayError) return done(gatewayFailure(o));
      if (o.result) seen?.(o.result);
      done(swapTaskId(o, entry.backendId, entry.id));
    };
  }

  private get(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    const entry = this.find(s, p);
    if (entry.bridged) return this.bridge.get(s, entry, done);
    if (entry.lost) return void done(ok(s.modern ? lostModern(entry) : lostTask(entry)));
    // A legacy task's result is fetched apart (tasks/result); a modern one's comes inlined here.
    const seen = (r: Json) => this.table.seen(entry, r, !entry.modern);
    const answer = this.answer(entry, done, seen);
    return entry.server.forward("tasks/get", { ...p, taskId: entry.backendId }, s, (o) => {
      // The backend went while it was asked: the task is answered as lost, as it is from now on.
      if (o instanceof GatewayError && this.table.find(s, entry.id)?.lost)
        return done(ok(s.modern ? lostModern(entry) : lostTask(entry)));
      answer(o);
    });
  }

  private result(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    if (s.modern) throw notInEra("tasks/result");
    const entry = this.find(s, p);
    if (entry.final) return void done(swapTaskId(entry.final, entry.backendId, entry.id));
    if (entry.lost) throw new RpcError(ErrorCode.InternalError, entry.lost);
    // While it waits, the backend's requests for the task come to this client (relay.ts).
    entry.waiting.push(s);
    const unwait = () => {
      const i = entry.waiting.indexOf(s);
      if (i >= 0) entry.waiting.splice(i, 1);
    };
    const cancel = entry.server.forward(
      "tasks/result",
      { ...p, taskId: entry.backendId },
      s,
      (o) => {
        unwait();
        if (!(o instanceof GatewayError) && o.result) {
          entry.final = o;
          this.table.release(entry);
        }
        this.answer(entry, done)(o);
      },
    );
    return () => {
      unwait();
      cancel();
    };
  }

  /** The caller's own tasks, each as its backend says now (a lost one as the gateway knows it). */
  private list(s: Client, p: Params | undefined, done: Done): undefined {
    if (s.modern) throw notInEra("tasks/list");
    const one = (entry: TaskEntry): Promise<Json | undefined> =>
      entry.lost
        ? Promise.resolve(lostTask(entry))
        : new Promise((resolve) =>
            entry.server.forward("tasks/get", { taskId: entry.backendId }, s, (o) => {
              if (o instanceof GatewayError) return resolve({ ...entry.last, taskId: entry.id });
              if (!o.result) {
                // Gone at the backend (its ttl passed): gone here too.
                this.table.drop(entry);
                return resolve(undefined);
              }
              this.table.seen(entry, o.result);
              const { _meta: _drop, ...task } = o.result;
              resolve({ ...task, taskId: entry.id });
            }),
          );
    void Promise.all(this.table.ownedBy(s).map(one)).then((tasks) => {
      try {
        done(ok(page("tasks", tasks.filter(isObject), p?.cursor)));
      } catch (e) {
        done(thrownReply(e));
      }
    });
    return undefined;
  }

  private cancel(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    const entry = this.find(s, p);
    if (entry.bridged) return this.bridge.cancel(s, entry, done);
    if (entry.lost) {
      if (s.modern) return void done(ok({}));
      const status = String(lostTask(entry).status);
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Cannot cancel task in terminal status: ${status} (${entry.lost})`,
      );
    }
    const seen = (r: Json) => this.table.seen(entry, r);
    return entry.server.forward(
      "tasks/cancel",
      { ...p, taskId: entry.backendId },
      s,
      this.answer(entry, done, seen),
    );
  }

  /** The extension's tasks/update: answers to the task's input requests. */
  private update(s: Client, p: Params | undefined, done: Done): Cancel | undefined {
    if (!s.modern) throw notInEra("tasks/update");
    const entry = this.find(s, p);
    if (entry.bridged) return this.bridge.update(entry, p, done);
    if (entry.lost) throw new RpcError(ErrorCode.InternalError, entry.lost);
    return entry.server.forward(
      "tasks/update",
      { ...p, taskId: entry.backendId },
      s,
      this.answer(entry, done),
    );
  }

  /** A backend process's (its key's) notifications/tasks/status: to the session that created the task. */
  status(lane: string, params: Json): void {
    const id = params.taskId;
    if (typeof id !== "string") return;
    const entry = this.table.fromBackend(lane, id);
    if (!entry) {
      const early = this.early.get(lane);
      if (early && early.creating > 0 && early.held.length < EARLY_MAX) early.held.push(params);
      return;
    }
    this.table.seen(entry, params);
    // A modern client hears of its tasks by polling (the extension's listen channel is not relayed).
    if (!entry.modern)
      entry.origin?.notify("notifications/tasks/status", { ...params, taskId: entry.id });
  }

  /** Where a backend process's request about its task `backendId` goes (see relay.ts). */
  callerFor(lane: string, backendId: string): TaskCaller | undefined {
    const entry = this.table.fromBackend(lane, backendId);
    if (!entry) return undefined;
    if (entry.bridged) return { caller: this.bridge.inbox(entry), taskId: entry.id };
    const caller = entry.waiting[entry.waiting.length - 1] ?? entry.origin;
    return caller ? { caller, taskId: entry.id } : undefined;
  }

  /** A session ended: its own tasks go (nobody can reach them any more). */
  closed(session: Session): void {
    this.table.closed(session);
  }
}

/** A modern client's task whose backend stopped: failed with an error naming the server. */
function lostModern(entry: TaskEntry): Json {
  const last = entry.last ?? {};
  const base: Json = { ...last, taskId: entry.id };
  delete base._meta;
  if (["completed", "failed", "cancelled"].includes(String(last.status))) return base;
  delete base.inputRequests;
  return {
    ...base,
    status: "failed",
    lastUpdatedAt: new Date().toISOString(),
    error: { code: ErrorCode.InternalError, message: entry.lost },
  };
}
