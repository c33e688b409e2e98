/**
 * A modern client's task on a legacy backend (2026-07-28 extension in front, 2025-11-25 tasks
 * behind): a tool the backend runs only as a task is called task-augmented and answered with a
 * flat `resultType: "task"`; tasks/get polls the backend and, once the task has ended, inlines
 * its result (fetched with tasks/result) or error; the backend's requests for the task become
 * `inputRequests`, answered by tasks/update; tasks/cancel is an empty acknowledgement.
 */
import type { Lane } from "../backend/lane.ts";
import type { Cancel, Outcome } from "../backend/types.ts";
import { GatewayError } from "../errors.ts";
import { ErrorCode, type Params } from "../jsonrpc.ts";
import { gatewayFailure, ok, type Reply, toolError } from "../replies.ts";
import type { Client } from "./client.ts";
import { TaskInbox } from "./task-inbox.ts";
import { isObject, type Json, swapTaskId, toModernTask, withRelatedTask } from "./task-shapes.ts";
import type { TaskEntry, TaskTable } from "./task-table.ts";

type Done = (reply: Reply) => void;

/** How long a poll that finds the task waiting for input waits for the backend's request. */
const INPUT_WAIT_MS = 1000;

interface Bridged {
  inbox: TaskInbox;
  /** The task's final state once it has ended (the backend is no longer needed for it). */
  ended?: Json;
}

export class TaskBridge {
  private readonly tasks = new WeakMap<TaskEntry, Bridged>();

  constructor(private readonly table: TaskTable) {}

  create(s: Client, server: Lane, params: Params | undefined, done: Done): Cancel {
    return server.forward("tools/call", { ...params, task: {} }, s, (o) => {
      if (o instanceof GatewayError) return done(toolError(o.message));
      const task = o.result?.task;
      if (!isObject(task) || typeof task.taskId !== "string") return done(o);
      const entry = this.table.create(s, server, task);
      this.tasks.set(entry, { inbox: new TaskInbox(entry.id, s.capabilities) });
      const created: Json = { resultType: "task", ...toModernTask({ ...task, taskId: entry.id }) };
      const meta = o.result?._meta;
      if (isObject(meta)) created._meta = withRelatedTask({ _meta: meta }, undefined)._meta;
      done(ok(created));
    });
  }

  get(s: Client, entry: TaskEntry, done: Done): Cancel | undefined {
    const b = this.state(entry);
    if (b.ended) return void done(ok(b.ended));
    if (entry.lost) return void done(ok(this.end(entry, lostState(entry))));
    return entry.server.forward("tasks/get", { taskId: entry.backendId }, s, (o) => {
      if (o instanceof GatewayError) return done(gatewayFailure(o));
      if (!o.result) return done(swapTaskId(o, entry.backendId, entry.id));
      entry.last = o.result;
      const base = toModernTask({ ...o.result, taskId: entry.id });
      switch (base.status) {
        case "working":
          return done(ok(base));
        case "cancelled":
          return done(ok(this.end(entry, base)));
        case "input_required": {
          void b.inbox.fetch(entry.server, entry.backendId);
          void b.inbox.settle(INPUT_WAIT_MS).then(() => {
            if (b.ended) return done(ok(b.ended));
            done(ok({ ...base, inputRequests: b.inbox.requests() }));
          });
          return;
        }
        default:
          // completed or failed: the backend holds the outcome for tasks/result.
          void b.inbox
            .fetch(entry.server, entry.backendId)
            .then((r) => done(ok(this.end(entry, finished(base, r, entry)))));
      }
    });
  }

  /** tasks/update: the answers go to the backend's waiting requests. */
  update(entry: TaskEntry, p: Params | undefined, done: Done): undefined {
    this.state(entry).inbox.answer(p?.inputResponses);
    done(ok({}));
    return undefined;
  }

  /** tasks/cancel: acknowledged at once, whether or not the task had ended (the extension's rule). */
  cancel(s: Client, entry: TaskEntry, done: Done): Cancel | undefined {
    if (this.state(entry).ended || entry.lost) return void done(ok({}));
    return entry.server.forward("tasks/cancel", { taskId: entry.backendId }, s, (o) => {
      if (!(o instanceof GatewayError) && o.result?.status === "cancelled")
        this.end(entry, toModernTask({ ...o.result, taskId: entry.id }));
      done(ok({}));
    });
  }

  /** Where the backend's requests for the task wait for the client. */
  inbox(entry: TaskEntry): TaskInbox {
    return this.state(entry).inbox;
  }

  private state(entry: TaskEntry): Bridged {
    let b = this.tasks.get(entry);
    if (!b) {
      b = { inbox: new TaskInbox(entry.id, {}) };
      this.tasks.set(entry, b);
    }
    return b;
  }

  /** The task has ended: its state is kept, the backend released, open requests dropped. */
  private end(entry: TaskEntry, state: Json): Json {
    const b = this.state(entry);
    b.ended = state;
    b.inbox.close();
    this.table.release(entry);
    return state;
  }
}

/** An ended task with what tasks/result gave: a tool's result (an error result too) or an error. */
function finished(base: Json, r: Outcome, entry: TaskEntry): Json {
  if (r instanceof GatewayError)
    return {
      ...base,
      status: "failed",
      error: { code: ErrorCode.InternalError, message: r.message },
    };
  const swapped = swapTaskId(r, entry.backendId, entry.id);
  if (swapped.error) return { ...base, status: "failed", error: swapped.error };
  // The extension's "failed" is for protocol errors only: a tool's error result completes it.
  return {
    ...base,
    status: "completed",
    result: withRelatedTask(swapped.result ?? {}, undefined),
  };
}

/** A task whose backend stopped: failed with an error naming the server, unless it had ended. */
function lostState(entry: TaskEntry): Json {
  const base = toModernTask({ ...(entry.last ?? {}), taskId: entry.id });
  if (base.status === "cancelled") return base;
  return {
    ...base,
    status: "failed",
    lastUpdatedAt: new Date().toISOString(),
    error: { code: ErrorCode.InternalError, message: entry.lost },
  };
}
