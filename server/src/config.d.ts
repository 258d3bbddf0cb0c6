export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export interface Config {
    readonly port: number;
    readonly host: string;
    /** host:port clients use to reach this process; needed when several processes share matchmaking. */
    readonly publicAddress: string | undefined;
    readonly authSecret: Uint8Array;
    /** True when AUTH_SECRET was not set and a random one was made (tokens die with the process). */
    readonly authSecretGenerated: boolean;
    readonly tickRate: number;
    readonly patchRate: number;
    readonly maxPlayers: number;
    readonly logLevel: LogLevel;
    /** Origins allowed to call the HTTP API from a browser; empty means any. */
    readonly corsOrigins: readonly string[];
}
export declare class ConfigError extends Error {
    name: string;
}
/** Reads the configuration; throws a ConfigError naming the variable when one is invalid. */
export declare function loadConfig(env?: NodeJS.ProcessEnv): Config;
