/**
 * A room class bound to this process's settings, with the guest-token check
 * every room of ours runs at matchmaking. The arena, the lobby and the editor
 * each get theirs here rather than writing the same subclass out.
 */
import type { Room } from "@colyseus/core";
import { authenticate } from "../auth.ts";

/** What every room's settings carry for the matchmaking check. */
export interface RoomAuthSettings {
  readonly authSecret: Uint8Array;
}

/**
 * `Base` with its (protected, abstract) `settings` set to `settings`, and a
 * static `onAuth`: it runs at matchmaking, before a room is created or a seat
 * reserved, so no valid guest token means no room and no seat. It returns
 * `true` (not the identity) so Colyseus still runs the instance `onAuth` at
 * connect, which checks the seat's join ticket and sets `client.auth`.
 */
export function configuredRoom<R extends Room, S extends RoomAuthSettings>(Base: abstract new () => R, settings: S): new () => R {
  // `Base` is abstract only for TypeScript (its `settings` is declared, not set); this sets it.
  const Concrete = Base as unknown as new () => Room;
  const Configured = class extends Concrete {
    readonly settings = settings;

    static async onAuth(token: string): Promise<true> {
      await authenticate(settings.authSecret, token);
      return true;
    }
  };
  Object.defineProperty(Configured, "name", { value: `Configured${Base.name}` });
  return Configured as unknown as new () => R;
}
