/**
 * One HTTP(S) request from a chosen local address. fetch cannot pick its
 * source address; limits are per address, and the whole of 127.0.0.0/8 is
 * loopback, so a test can be many clients at once (127.0.1.1, 127.0.1.2, ...).
 */
import { request, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method?: string;
  /** Local address to send from; 127.0.0.1 by default. */
  from?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Resolve at the response head and close (a stream never ends). */
  headOnly?: boolean;
}

/** Sends the request from `opts.from`; https URLs accept any certificate (tests use self-signed ones). */
export function sendFrom(url: string, opts: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = { method: opts.method ?? "GET", localAddress: opts.from ?? "127.0.0.1", headers: opts.headers, agent: false as const, rejectUnauthorized: false };
    const req = (url.startsWith("https:") ? httpsRequest : request)(url, options, (res) => {
      if (opts.headOnly) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" });
        res.destroy();
        return;
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}
