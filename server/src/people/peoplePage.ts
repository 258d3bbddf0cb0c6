/**
 * Paging of GET /api/people (the caller's scoped list, PeopleScope.ts): `limit` (1 to PEOPLE_PAGE_MAX, larger is cut to it) and `after`, an opaque
 * cursor naming the last person of the previous page (name and user id, base64url JSON). Pages follow the
 * list's order (comparePeople), so someone who comes or goes between two pages never shifts the others: no
 * one is sent twice, and no one online during the whole walk is skipped.
 */
import { z } from "zod";
import { PEOPLE_PAGE_DEFAULT, PEOPLE_PAGE_MAX, comparePeople, type PeoplePage, type PersonOnline } from "@arena/shared";

/** A cursor holds one person's name (at most 64 characters after cleaning) and user id. */
const CursorSchema = z.tuple([z.string().max(256), z.string().max(64)]);

const QuerySchema = z.object({
  limit: z.string().regex(/^\d{1,12}$/, "must be a whole number from 1").transform(Number).pipe(z.number().min(1, "must be a whole number from 1"))
    .transform((n) => Math.min(n, PEOPLE_PAGE_MAX)).optional(),
  after: z.string().max(512).transform((s, ctx) => {
    try {
      return CursorSchema.parse(JSON.parse(Buffer.from(s, "base64url").toString("utf8")));
    } catch {
      ctx.addIssue({ code: "custom", message: "must be the `next` of a previous page" });
      return z.NEVER;
    }
  }).optional(),
}).strip();

export interface PageRequest {
  readonly limit: number;
  readonly after: readonly [name: string, userId: string] | undefined;
}

/** The paging parameters of a query; throws a ZodError (400 invalid_request) on a malformed one. */
export function pageRequest(query: unknown): PageRequest {
  const q = QuerySchema.parse(query);
  return { limit: q.limit ?? PEOPLE_PAGE_DEFAULT, after: q.after };
}

function cursorOf(p: PersonOnline): string {
  return Buffer.from(JSON.stringify([p.name, p.userId])).toString("base64url");
}

/** The page of `list` (sorted by comparePeople) that `request` asks for; `total` defaults to the list's length. */
export function pageOf(list: readonly PersonOnline[], request: PageRequest, total = list.length): PeoplePage {
  const { after, limit } = request;
  const start = after === undefined ? 0 : list.findIndex((p) => comparePeople(p, { name: after[0], userId: after[1] }) > 0);
  const people = start < 0 ? [] : list.slice(start, start + limit);
  const last = people.at(-1);
  const more = start >= 0 && start + limit < list.length;
  return { people, total, ...(more && last !== undefined && { next: cursorOf(last) }) };
}
