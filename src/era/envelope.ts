/**
 * The per-request `_meta` envelope of the modern era: what a request claims (version, client
 * capabilities, client info, log level), read and checked once at the front.
 */

import { ErrorCode, type Params, type RpcErrorObject } from "../jsonrpc.ts";
import { ModernError } from "./errors.ts";
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from "./keys.ts";
import { isModernVersion, MODERN_VERSIONS } from "./versions.ts";

export const META = {
  protocolVersion: PROTOCOL_VERSION_META_KEY,
  clientCapabilities: CLIENT_CAPABILITIES_META_KEY,
  clientInfo: CLIENT_INFO_META_KEY,
  logLevel: LOG_LEVEL_META_KEY,
} as const;

export interface Envelope {
  version: string;
  capabilities: Record<string, unknown>;
  clientInfo?: Record<string, unknown>;
  logLevel?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** True when a request's params claim the modern envelope (a protocol version in `_meta`). */
export function claimsModern(params: unknown): boolean {
  if (!isObject(params)) return false;
  const meta = params._meta;
  return isObject(meta) && typeof meta[META.protocolVersion] === "string";
}

/** The envelope of a modern request, or the JSON-RPC error to answer it with. */
export function readEnvelope(params: Params | undefined): Envelope | RpcErrorObject {
  const meta = params?._meta;
  if (!isObject(meta))
    return { code: ErrorCode.InvalidParams, message: "Invalid params: _meta is required" };
  const version = meta[META.protocolVersion];
  if (typeof version !== "string")
    return {
      code: ErrorCode.InvalidParams,
      message: `Invalid params: _meta["${META.protocolVersion}"] is required`,
    };
  const caps = meta[META.clientCapabilities];
  if (!isObject(caps))
    return {
      code: ErrorCode.InvalidParams,
      message: `Invalid params: _meta["${META.clientCapabilities}"] must be an object`,
    };
  if (!isModernVersion(version)) return unsupportedVersion(version);
  const envelope: Envelope = { version, capabilities: caps };
  const info = meta[META.clientInfo];
  if (isObject(info)) envelope.clientInfo = info;
  const level = meta[META.logLevel];
  if (typeof level === "string") envelope.logLevel = level;
  return envelope;
}

export const unsupportedVersion = (requested: unknown): RpcErrorObject => ({
  code: ModernError.UnsupportedProtocolVersion,
  message: "Unsupported protocol version",
  data: { supported: [...MODERN_VERSIONS], requested },
});

export const isEnvelope = (v: Envelope | RpcErrorObject): v is Envelope => "version" in v;
