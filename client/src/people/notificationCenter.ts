/**
 * Notifications in the page: a toast for each new one (an invite's toast has
 * Join and Decline), an unread badge that opens the list and marks it read,
 * and the browser's Notification API while the tab is hidden (permission is
 * asked only when the person clicks "Desktop alerts").
 */
import type { Inbox, Notification } from "@arena/shared";
import { describeJoinError } from "../net/joinErrors.ts";
import type { PeopleApi } from "./api.ts";

/** How long a toast stays (an invite's stays until answered or expired). */
const TOAST_MS = 6000;

export interface CenterActions {
  /** Join this room (an accepted invite). */
  join(roomId: string): void;
}

/** One line for a notification. */
export function describeNote(n: Notification): string {
  switch (n.kind) {
    case "invite": return `${n.from.name} invites you to a match`;
    case "invite_answer": return `${n.by.name} ${n.accepted ? "accepted" : "declined"} your invite`;
    case "passed": return `${n.by.name} passed you on the ${n.board === "daily" ? "daily" : "all-time"} leaderboard (you are #${n.rank})`;
    case "server_restarting": return n.message;
  }
}

export class NotificationCenter {
  private items: Notification[] = [];
  private readUpTo = 0;
  private readonly seen = new Set<number>();

  constructor(private readonly api: PeopleApi, private readonly actions: CenterActions, private readonly root: HTMLElement) {
    const badge = this.el("notify-badge");
    badge.addEventListener("click", () => this.toggleList());
    const alerts = this.el("notify-desktop");
    alerts.hidden = typeof Notification === "undefined" || Notification.permission !== "default";
    alerts.addEventListener("click", () => {
      void Notification.requestPermission().then(() => (alerts.hidden = true));
    });
  }

  private el<T extends HTMLElement = HTMLElement>(id: string): T {
    const found = this.root.querySelector<T>(`[data-testid="${id}"]`);
    if (found === null) throw new Error(`missing ${id}`);
    return found;
  }

  /** The kept notifications (from the lobby on join). */
  inbox(box: Inbox): void {
    for (const n of box.items) this.seen.add(n.id);
    this.items = box.items;
    this.readUpTo = box.readUpTo;
    this.renderBadge();
  }

  /** A live one: toast, badge, and a desktop alert if the tab is hidden. */
  add(n: Notification): void {
    if (this.seen.has(n.id)) return;
    this.seen.add(n.id);
    this.items = [n, ...this.items].slice(0, 50);
    this.renderBadge();
    this.toast(n);
    if (document.hidden && typeof Notification !== "undefined" && Notification.permission === "granted") {
      const alert = new Notification("Arena", { body: describeNote(n), tag: `arena-${n.id}` });
      alert.onclick = () => window.focus();
    }
  }

  /** A short message of the page's own (e.g. why an invite was refused). */
  info(message: string): void {
    const box = document.createElement("div");
    box.className = "toast";
    box.dataset.testid = "toast-info";
    box.textContent = message;
    this.el("toasts").append(box);
    setTimeout(() => box.remove(), TOAST_MS);
  }

  private unread(): number {
    return this.items.filter((n) => n.id > this.readUpTo).length;
  }

  private renderBadge(): void {
    const badge = this.el("notify-badge");
    const unread = this.unread();
    badge.textContent = unread > 0 ? `Inbox (${unread})` : "Inbox";
    badge.dataset.unread = String(unread);
  }

  private toggleList(): void {
    const list = this.el<HTMLOListElement>("notify-list");
    list.hidden = !list.hidden;
    if (list.hidden) return;
    list.replaceChildren(...this.items.map((n) => {
      const li = document.createElement("li");
      li.textContent = describeNote(n);
      if (n.id > this.readUpTo) li.className = "unread";
      return li;
    }));
    const top = this.items[0]?.id ?? 0;
    if (top > this.readUpTo) {
      this.readUpTo = top;
      this.renderBadge();
      this.api.markRead(top).catch(() => undefined);
    }
  }

  private toast(n: Notification): void {
    const box = document.createElement("div");
    box.className = "toast";
    box.dataset.testid = `toast-${n.kind}`;
    const text = document.createElement("span");
    text.textContent = describeNote(n);
    box.append(text);
    const close = (): void => box.remove();
    if (n.kind === "invite") {
      const join = document.createElement("button");
      join.textContent = "Join";
      join.dataset.testid = "toast-join";
      join.className = "primary";
      const decline = document.createElement("button");
      decline.textContent = "Decline";
      decline.dataset.testid = "toast-decline";
      join.addEventListener("click", () => {
        this.api.answer(n.inviteId, true).then((r) => {
          close();
          if (r.roomId !== undefined) this.actions.join(r.roomId);
        }, (e: unknown) => (text.textContent = describeJoinError(e)));
      });
      decline.addEventListener("click", () => {
        close();
        this.api.answer(n.inviteId, false).catch(() => undefined);
      });
      box.append(join, decline);
      setTimeout(close, Math.max(0, n.expiresAt - Date.now()));
    } else {
      setTimeout(close, TOAST_MS);
    }
    this.el("toasts").append(box);
  }
}
