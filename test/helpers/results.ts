// What an MCP answer says, read loosely from a raw JSON-RPC message (any client's shape will do).

interface Answer {
  result?: Record<string, unknown>;
}

/** Text of the first content item of a tools/call response. */
export const textOf = (res: Answer): string => {
  const content = res.result?.content as { text?: string }[] | undefined;
  return content?.[0]?.text ?? "";
};

/** Names of the tools in a tools/list response. */
export const toolNames = (res: Answer): string[] =>
  ((res.result?.tools as { name: string }[] | undefined) ?? []).map((t) => t.name);
