// Entry point for process managers (PM2): loads TypeScript through tsx, then starts one game process.
// (PM2 given a .ts script looks for ts-node and logs an error even when tsx is loaded.)
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
