/**
 * The one place that reaches into Colyseus' matchmaking route to change what it answers: the route answers
 * with whatever `matchMaker.controller.invokeMethod(method, roomName, options, authContext)` returns (a seat
 * reservation), so wrapping that function lets a field be added to every seat reservation it hands out,
 * whichever room and method (quick play included: quickPlay.ts wraps the same function, so this is installed
 * after it). Relies on: @colyseus/core 0.18 `router/default_routes.ts` (pinned by server/test/join-tickets.test.ts).
 */
import { matchMaker, type AuthContext } from "@colyseus/core";

type Reservation = Awaited<ReturnType<typeof matchMaker.reserveSeatFor>>;

/** Adds what `extend` returns to each seat reservation the matchmaking route answers; returns the undo. */
export function extendMatchmakeAnswers(extend: (reservation: Reservation, method: string, context: AuthContext | undefined) => Promise<object> | object): () => void {
  const controller = matchMaker.controller;
  const inner = controller.invokeMethod;
  const outer = async function (this: typeof controller, method: string, roomName: string, options?: Record<string, unknown>, context?: AuthContext) {
    const reservation = (await inner.call(this, method, roomName, options, context)) as Reservation;
    return { ...reservation, ...(await extend(reservation, method, context)) };
  } as typeof controller.invokeMethod;
  controller.invokeMethod = outer;
  return () => {
    if (controller.invokeMethod === outer) controller.invokeMethod = inner;
  };
}
