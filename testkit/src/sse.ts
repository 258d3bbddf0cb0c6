/** A text/event-stream reader: events and comment lines, as they arrive. */
import { Arrivals } from "./waits.ts";

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  private readonly arrivals = new Arrivals("sse");
  private readonly abort = new AbortController();
  response!: Response;

  /** Opens the stream; rejects when its response headers are not in within `timeoutMs`. */
  static async open(url: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<SseReader> {
    const r = new SseReader();
    const timer = setTimeout(() => r.abort.abort(new Error(`sse: no response from ${url} within ${timeoutMs} ms`)), timeoutMs);
    try {
      r.response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: r.abort.signal });
    } finally {
      clearTimeout(timer);
    }
    void r.pump();
    return r;
  }

  private async pump(): Promise<void> {
    const reader = this.response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let sep: number;
        while ((sep = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, sep);
          buffer = buffer.slice(sep + 2);
          const ev: SseEvent = { data: "" };
          let isEvent = false;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
            else if (line.startsWith("id: ")) { ev.id = line.slice(4); isEvent = true; }
            else if (line.startsWith("event: ")) { ev.event = line.slice(7); isEvent = true; }
            else if (line.startsWith("data: ")) { ev.data += line.slice(6); isEvent = true; }
          }
          if (isEvent) this.events.push(ev);
          this.arrivals.poke();
        }
      }
    } catch {
      // aborted
    }
  }

  until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return this.arrivals.until(predicate, what, timeoutMs);
  }

  close(): void {
    this.abort.abort();
  }
}
