// The SDK-client pass: every way again, measured with the MCP SDK's own client (what users run)
// instead of the raw load clients, beside them in the same run.
import { connectSdk, type SdkMode } from "./client-sdk.ts";
import type { Way } from "./way.ts";

const MODES: Record<string, SdkMode> = {
  direct: "stdio",
  "gw-stdio": "stdio",
  "gw-http": "streamable",
  "gw-modern": "modern",
  "gw-sse": "sse",
};

export function sdkWays(ways: Way[]): Way[] {
  return ways.flatMap((way) => {
    const mode = MODES[way.id];
    if (!mode) return [];
    return [
      {
        ...way,
        id: `${way.id}+sdk`,
        label: `${way.label}, SDK client`,
        pass: "sdk" as const,
        launch: async () => {
          const launched = await way.launch();
          return {
            ...launched,
            connect: (deadline: number) => connectSdk(mode, launched, launched.url, deadline),
          };
        },
      },
    ];
  });
}
