/** How a watched response body ended: the server finished it, or the client went away. */
export type BodyEnd = "done" | "cancelled";

/**
 * The same response with its body passed through, calling `onEnd` once when the body
 * ends: "done" when the server closed it, "cancelled" when the client disconnected.
 * The SDK's transport gives no hook for either; fronts need both (open-stream count,
 * cancelling the requests of a client that left).
 */
export function watchBody(res: Response, onEnd: (how: BodyEnd) => void): Response {
  const source = res.body;
  if (!source) {
    onEnd("done");
    return res;
  }
  const reader = source.getReader();
  let ended = false;
  const end = (how: BodyEnd) => {
    if (ended) return;
    ended = true;
    onEnd(how);
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          controller.close();
          end("done");
        } else controller.enqueue(value);
      } catch (e) {
        controller.error(e);
        end("cancelled");
      }
    },
    cancel(reason) {
      end("cancelled");
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}
