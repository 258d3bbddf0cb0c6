/** ICE_SERVERS: validated at start with an error naming the variable; none by default. */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const base = { AUTH_SECRET: "x".repeat(32) };

describe("ICE_SERVERS", () => {
  it("is an empty list when unset (enough on one machine or a LAN)", () => {
    expect(loadConfig(base).iceServers).toEqual([]);
  });

  it("accepts STUN and TURN servers as RTCIceServer objects", () => {
    const servers = [
      { urls: "stun:stun.example.com:3478" },
      { urls: ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"], username: "arena", credential: "s3cret" },
    ];
    expect(loadConfig({ ...base, ICE_SERVERS: JSON.stringify(servers) }).iceServers).toEqual(servers);
  });

  it.each([
    ["not JSON", "stun:stun.example.com", /not JSON/],
    ["an object instead of a list", '{"urls":"stun:a"}', /ICE_SERVERS must be a JSON list/],
    ["a URL that is not stun/turn", '[{"urls":"http://example.com"}]', /urls/],
    ["an unknown field", '[{"urls":"stun:a","password":"x"}]', /ICE_SERVERS/],
    ["a TURN server without credentials", '[{"urls":"turn:turn.example.com"}]', /needs a username and a credential/],
  ])("stops the start on %s with a message naming ICE_SERVERS", (_what, raw, message) => {
    expect(() => loadConfig({ ...base, ICE_SERVERS: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ICE_SERVERS: raw })).toThrow(message);
  });

  it("never echoes the value back (it may hold a TURN credential)", () => {
    const raw = '[{"urls":"turn:turn.example.com","username":"arena","credential":"hunter2-secret","extra":1}]';
    expect(() => loadConfig({ ...base, ICE_SERVERS: raw })).toThrow(/^ICE_SERVERS must be a JSON list/);
    expect(() => loadConfig({ ...base, ICE_SERVERS: raw })).not.toThrow(/hunter2/);
  });
});
