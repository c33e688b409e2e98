/**
 * Tasks in both eras, as the wire carries them: the 2025-11-25 `Task` (`ttl`, `pollInterval`,
 * nested in a CreateTaskResult's `task`) and the 2026-07-28 extension's flat one (`ttlMs`,
 * `pollIntervalMs`, `resultType: "task"`); the related-task `_meta` key; the task ids the
 * gateway swaps in and out of them.
 */
import { RELATED_TASK_META_KEY } from "../era/keys.ts";
import type { Params, RpcResponse } from "../jsonrpc.ts";

/** The 2026-07-28 tasks extension's identifier (capabilities.extensions). */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

export type Json = Record<string, unknown>;

export const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a client's capabilities declare the 2026-07-28 tasks extension. */
export function declaresTasks(capabilities: Json): boolean {
  const ext = capabilities.extensions;
  return isObject(ext) && isObject(ext[TASKS_EXTENSION]);
}

/** A legacy `Task` as the modern extension shapes it (the task id already the gateway's). */
export function toModernTask(task: Json): Json {
  const out: Json = {
    taskId: task.taskId,
    status: task.status,
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt ?? task.createdAt,
    ttlMs: typeof task.ttl === "number" ? task.ttl : null,
  };
  if (typeof task.statusMessage === "string") out.statusMessage = task.statusMessage;
  if (typeof task.pollInterval === "number") out.pollIntervalMs = task.pollInterval;
  return out;
}

/** The task id a related-task `_meta` names, if any. */
export function relatedTaskId(params: Params | undefined): string | undefined {
  const related = params?._meta?.[RELATED_TASK_META_KEY];
  return isObject(related) && typeof related.taskId === "string" ? related.taskId : undefined;
}

/** `obj` with its related-task `_meta` naming `taskId` instead (or dropped, for undefined). */
export function withRelatedTask<T extends Json>(obj: T, taskId: string | undefined): T {
  const meta = obj._meta;
  if (!isObject(meta) || !isObject(meta[RELATED_TASK_META_KEY])) return obj;
  const rest: Json = { ...meta };
  if (taskId !== undefined)
    rest[RELATED_TASK_META_KEY] = { ...meta[RELATED_TASK_META_KEY], taskId };
  else if (Object.keys(rest).length > 1) delete rest[RELATED_TASK_META_KEY];
  else {
    const { _meta: _drop, ...bare } = obj;
    return bare as T;
  }
  return { ...obj, _meta: rest };
}

/**
 * A backend's answer about task `from`, with `to` in its place (ids, related-task, messages).
 * Always a fresh reply: the backend's raw line (src/raw.ts) must not be written out instead.
 */
export function swapTaskId(reply: RpcResponse, from: string, to: string): RpcResponse {
  const { id } = reply;
  if (reply.error) {
    const { message } = reply.error;
    return { jsonrpc: "2.0", id, error: { ...reply.error, message: message.replaceAll(from, to) } };
  }
  let result: Json = reply.result ?? {};
  if (result.taskId === from) result = { ...result, taskId: to };
  if (isObject(result.task) && result.task.taskId === from)
    result = { ...result, task: { ...result.task, taskId: to } };
  return { jsonrpc: "2.0", id, result: withRelatedTask(result, to) };
}
