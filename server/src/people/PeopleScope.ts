/**
 * A person's scoped people list: the people in a room with them now, those they played with, invited or were
 * invited by (Contacts.ts, newest first), and those they blocked, the online ones only, at most PEOPLE_SCOPE_MAX.
 * What one list reads is bounded whatever the number of people online: two hashes (contacts, blocks), the
 * viewer's own whereabouts, at most PEOPLE_SCOPE_MAX others' whereabouts and one liveness read. A whereabouts
 * read is shared for a moment by the lists of one process that name the same person.
 */
import { PEOPLE_SCOPE_MAX, comparePeople, type PersonOnline, type PersonRelation } from "@arena/shared";
import type { Blocks } from "./Blocks.ts";
import type { ContactStore } from "./Contacts.ts";
import type { PeopleDirectory } from "./PeopleDirectory.ts";

/** A whereabouts read is reused this long by other lists of this process. */
const SHARED_READ_MS = 1000;

/** Who comes first when the list is over its cap: room-mates, then recent contacts, then blocked people. */
const ORDER: Record<PersonRelation, number> = { room: 0, played: 1, invited: 1, blocked: 2 };

export class PeopleScope {
  private readonly recent = new Map<string, { at: number; read: Promise<PersonOnline | undefined> }>();

  constructor(private readonly directory: PeopleDirectory, private readonly contacts: ContactStore, private readonly blocks: Blocks) {}

  /** The scoped list of `userId` (never themselves), by relation, then by name. */
  async of(userId: string): Promise<PersonOnline[]> {
    const [met, blocked, me] = await Promise.all([this.contacts.of(userId), this.blocks.list(userId), this.directory.whereIs(userId)]);
    const relation = new Map<string, PersonRelation>();
    for (const b of blocked) relation.set(b.userId, "blocked");
    for (const c of met) if (!relation.has(c.userId)) relation.set(c.userId, c.relation);
    relation.delete(userId);
    // Recent contacts first, then blocked people, up to the cap: what is read is bounded.
    const ids = [...relation.keys()].sort((a, b) => ORDER[relation.get(a)!] - ORDER[relation.get(b)!]).slice(0, PEOPLE_SCOPE_MAX);
    const found = await this.whereAre(ids);
    const list: PersonOnline[] = [];
    for (const id of ids) {
      const p = found.get(id);
      if (p === undefined) continue;
      const inMyRoom = me?.roomId !== undefined && p.roomId === me.roomId && relation.get(id) !== "blocked";
      list.push({ ...p, relation: inMyRoom ? "room" : relation.get(id)! });
    }
    return list.sort((a, b) => ORDER[a.relation!] - ORDER[b.relation!] || comparePeople(a, b));
  }

  /** Whereabouts of `ids`, reusing a read of the last SHARED_READ_MS made for another list. */
  private async whereAre(ids: readonly string[]): Promise<Map<string, PersonOnline>> {
    const now = Date.now();
    for (const [id, r] of this.recent) if (now - r.at >= SHARED_READ_MS) this.recent.delete(id);
    const missing = ids.filter((id) => !this.recent.has(id));
    if (missing.length > 0) {
      const batch = this.directory.whereAre(missing);
      for (const id of missing) this.recent.set(id, { at: now, read: batch.then((m) => m.get(id)) });
      batch.catch(() => { for (const id of missing) this.recent.delete(id); });
    }
    const found = new Map<string, PersonOnline>();
    await Promise.all(ids.map(async (id) => {
      const p = await this.recent.get(id)?.read;
      if (p !== undefined) found.set(id, p);
    }));
    return found;
  }
}
