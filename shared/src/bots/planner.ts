/**
 * Route requests of all the bots of one room, with a budget per step: when many
 * bots want a route at once (a match start, a crowd stuck in one corner) the
 * rest wait a step or two, so no step pays for more than a few searches.
 * The budget counts requests, not cache misses, so what a bot does never
 * depends on what another room left in the shared cache: replays stay exact.
 */
import type { NavGrid, Route } from "./navGrid.ts";
import { BOT_PLANS_PER_STEP } from "./skill.ts";

export interface PlannerStats {
  /** Routes handed out (searched or from the cache). */
  requests: number;
  /** Requests refused for lack of budget (asked again on a later step). */
  deferred: number;
}

export class RoutePlanner {
  readonly stats: PlannerStats = { requests: 0, deferred: 0 };
  private left = 0;

  constructor(readonly nav: NavGrid, readonly perStep: number = BOT_PLANS_PER_STEP) {}

  /** Refills the budget; call once per simulation step. */
  beginStep(): void {
    this.left = this.perStep;
  }

  /**
   * The route from one point to another: a Route, null when the goal cannot be
   * reached, or undefined when this step's budget is spent (ask again later).
   */
  route(fromX: number, fromY: number, toX: number, toY: number): Route | null | undefined {
    if (this.left <= 0) {
      this.stats.deferred++;
      return undefined;
    }
    this.left--;
    this.stats.requests++;
    const from = this.nav.nearestOpen(fromX, fromY);
    const to = this.nav.nearestOpen(toX, toY);
    if (from < 0 || to < 0) return null;
    const known = this.nav.cached(from, to);
    return known !== undefined ? known : this.nav.search(from, to);
  }
}
