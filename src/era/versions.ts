/** Which protocol versions the gateway speaks, by era: legacy (initialize, sessions) and modern (2026-07-28 on). */
import { PROTOCOL_VERSIONS } from "../protocol.ts";

export type Era = "legacy" | "modern";

/** Modern versions served and spoken to backends, newest first. */
export const MODERN_VERSIONS: readonly string[] = ["2026-07-28"];
export const LATEST_MODERN: string = MODERN_VERSIONS[0] ?? "2026-07-28";

/** Every version the gateway serves: modern first, then the legacy ones it negotiates. */
export const ALL_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...PROTOCOL_VERSIONS];

export const isModernVersion = (v: unknown): v is string =>
  typeof v === "string" && MODERN_VERSIONS.includes(v);
