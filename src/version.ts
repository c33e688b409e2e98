import pkg from "../package.json" with { type: "json" };

/** The package version; `bun build` inlines package.json, so the binary carries it. */
export const VERSION: string = pkg.version;
