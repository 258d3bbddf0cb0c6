/**
 * The lobby's list of your people online (those in your room, played with, invited or blocked: the server scopes
 * it): name and status, and for others an Invite button (it opens a private room and invites them into it) and
 * Block; a blocked person is shown as such, without buttons.
 */
import type { PersonOnline } from "@arena/shared";

export interface PeopleActions {
  invite(person: PersonOnline): void;
  block(person: PersonOnline): void;
  join(roomId: string): void;
}

export function describeStatus(p: PersonOnline): string {
  switch (p.status) {
    case "lobby": return "in lobby";
    case "editing": return "editing a map";
    case "spectating": return p.roomId ? `watching ${p.roomId}` : "watching a match";
    case "match": return p.roomId ? `in match ${p.roomId}${p.joinable ? "" : " (full)"}` : "in a private match";
  }
}

export function renderPeople(table: HTMLTableElement, people: readonly PersonOnline[], me: string, actions: PeopleActions): void {
  table.replaceChildren();
  const others = people.filter((p) => p.userId !== me);
  if (others.length === 0) table.insertRow().insertCell().textContent = "Nobody you played with or invited is online.";
  for (const p of others) {
    const row = table.insertRow();
    row.dataset.testid = `person-${p.userId}`;
    row.dataset.status = p.status;
    row.insertCell().textContent = p.name;
    row.insertCell().textContent = p.relation === "blocked" ? `${describeStatus(p)} (blocked)` : describeStatus(p);
    const cell = row.insertCell();
    if (p.relation === "blocked") continue;
    const button = (label: string, id: string, onClick: () => void): HTMLButtonElement => {
      const b = document.createElement("button");
      b.textContent = label;
      b.dataset.testid = `${id}-${p.userId}`;
      b.addEventListener("click", onClick);
      cell.append(b, " ");
      return b;
    };
    if (p.status === "match" && p.roomId !== undefined && p.joinable === true) button("Join", "person-join", () => actions.join(p.roomId!));
    button("Invite", "person-invite", () => actions.invite(p));
    button("Block", "person-block", () => actions.block(p));
  }
}
