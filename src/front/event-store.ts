import type { EventId, EventStore, JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";

interface Stored {
  id: EventId;
  stream: StreamId;
  /** Serialized once; replay (rare) parses it back. */
  json: string;
}

/** Bounds per session: a client that never resumes must not make the gateway grow. */
export const MAX_EVENTS = 1000;
export const MAX_BYTES = 16 * 1024 * 1024;

/**
 * Resumability for one Streamable HTTP session: the latest events of each of its streams,
 * in memory, oldest dropped first past MAX_EVENTS or MAX_BYTES. Event ids are
 * `<stream>_<sequence>`, so the stream of an id is known even after its events are gone.
 */
export class MemoryEventStore implements EventStore {
  private readonly events: Stored[] = [];
  private bytes = 0;
  private seq = 0;

  async storeEvent(stream: StreamId, message: JSONRPCMessage): Promise<EventId> {
    return this.store(stream, JSON.stringify(message));
  }

  /** Store an event already serialized (the gateway's own streams); returns its id. */
  store(stream: StreamId, json: string): EventId {
    const id = `${stream}_${++this.seq}`;
    this.events.push({ id, stream, json });
    this.bytes += json.length;
    while (this.events.length > MAX_EVENTS || this.bytes > MAX_BYTES) {
      const old = this.events.shift();
      if (old) this.bytes -= old.json.length;
    }
    return id;
  }

  /** The events of the same stream after `id`, oldest first (for the gateway's own streams). */
  after(id: EventId): Array<{ id: EventId; json: string }> {
    const cut = id.lastIndexOf("_");
    if (cut <= 0) return [];
    const stream = id.slice(0, cut);
    const seq = Number(id.slice(cut + 1));
    return this.events.filter(
      (e) => e.stream === stream && Number(e.id.slice(stream.length + 1)) > seq,
    );
  }

  async getStreamIdForEventId(id: EventId): Promise<StreamId | undefined> {
    const cut = id.lastIndexOf("_");
    return cut > 0 && /^\d+$/.test(id.slice(cut + 1)) ? id.slice(0, cut) : undefined;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (id: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const stream = await this.getStreamIdForEventId(lastEventId);
    if (stream === undefined) throw new Error(`unknown event id ${lastEventId}`);
    const after = Number(lastEventId.slice(stream.length + 1));
    for (const e of this.events) {
      if (e.stream !== stream || Number(e.id.slice(stream.length + 1)) <= after) continue;
      const message = JSON.parse(e.json) as JSONRPCMessage;
      // Priming events are stored as {} and carry nothing to replay.
      if ("jsonrpc" in message) await send(e.id, message);
    }
    return stream;
  }

  get size(): number {
    return this.events.length;
  }
}
