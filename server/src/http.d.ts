import express from "express";
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";
export interface HttpDeps {
    readonly config: Config;
    readonly log: Logger;
    readonly startedAt: number;
}
/** Adds the routes to the transport's express app. */
export declare function mountHttp(app: express.Application, deps: HttpDeps): void;
/**
 * Serves the built browser client (client/dist) when it exists, so one URL is
 * the whole game in production. Returns false when there is nothing to serve.
 */
export declare function mountClient(app: express.Application, dir: string): boolean;
