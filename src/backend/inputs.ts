/**
 * The input bridge the other way: a modern backend answers a legacy client's request with
 * `input_required`; the gateway asks the client each input request as the legacy era does (a
 * server-to-client request), and retries the request with the answers and the backend's request
 * state, until the backend completes it.
 */
import { GatewayError } from "../errors.ts";
import type { Params } from "../jsonrpc.ts";
import type { Caller, Cancel, Outcome, OutcomeHandler } from "./types.ts";

/** A backend that keeps asking is stopped after this many rounds. */
export const MAX_INPUT_ROUNDS = 8;

type Send = (params: Params | undefined, done: OutcomeHandler) => Cancel;

const asObject = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function answerInputs(
  server: string,
  send: Send,
  params: Params | undefined,
  caller: Caller,
  done: OutcomeHandler,
): Cancel {
  const ac = new AbortController();
  let cancel: Cancel = () => {};
  let rounds = 0;

  const round = (p: Params | undefined) => {
    cancel = send(p, (o) => {
      if (ac.signal.aborted) return;
      const result = o instanceof GatewayError ? undefined : o.result;
      if (result?.resultType !== "input_required") return done(o);
      if (++rounds > MAX_INPUT_ROUNDS)
        return done(
          new GatewayError(
            "SEND",
            `server "${server}" asked for client input more than ${MAX_INPUT_ROUNDS} times`,
          ),
        );
      void gather(asObject(result.inputRequests)).then((answers) => {
        if (ac.signal.aborted) return;
        if (!("responses" in answers)) return done(answers);
        const next: Params = { ...params, inputResponses: answers.responses };
        if (result.requestState !== undefined) next.requestState = result.requestState;
        round(next);
      });
    });
  };

  /** Each input request asked of the client, all at once; the first failure ends the call. */
  const gather = async (
    requests: Record<string, unknown>,
  ): Promise<{ responses: Record<string, unknown> } | Outcome> => {
    const entries = Object.entries(requests);
    const outcomes = await Promise.all(
      entries.map(([, r]) => {
        const req = asObject(r);
        const params = req.params === undefined ? undefined : (asObject(req.params) as Params);
        return caller.request(String(req.method), params, ac.signal);
      }),
    );
    const responses: Record<string, unknown> = {};
    for (const [i, o] of outcomes.entries()) {
      if (o instanceof GatewayError || o.error) return o;
      responses[entries[i]?.[0] ?? ""] = o.result ?? {};
    }
    return { responses };
  };

  round(params);
  return () => {
    ac.abort();
    cancel();
  };
}
