/** Paging of GET /api/people (peoplePage.ts), pure: the cap on a page, hostile cursors and limits, and a walk through everyone. */
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { PEOPLE_PAGE_DEFAULT, PEOPLE_PAGE_MAX, type PersonOnline } from "@arena/shared";
import { mergePeople } from "../src/people/PeopleDirectory.ts";
import { pageOf, pageRequest } from "../src/people/peoplePage.ts";

/** 250 people, some sharing a name (the user id orders them), already in the list's order. */
const everyone: PersonOnline[] = mergePeople([[...Array(250).keys()].map((i) => ({
  userId: `g_${String(i).padStart(8, "0")}-0000-0000-0000-000000000000`, name: `p${i % 97}`, status: "lobby" as const,
}))]);

/** Every page from the first, following `next`. */
function walk(list: PersonOnline[], limit: string | undefined): PersonOnline[][] {
  const pages: PersonOnline[][] = [];
  let after: string | undefined;
  do {
    const page = pageOf(list, pageRequest({ ...(limit !== undefined && { limit }), ...(after !== undefined && { after }) }));
    expect(page.total).toBe(list.length);
    pages.push(page.people);
    after = page.next;
  } while (after !== undefined);
  return pages;
}

describe("people pages", () => {
  it(`hold ${PEOPLE_PAGE_DEFAULT} people by default and never more than ${PEOPLE_PAGE_MAX}, however large the limit asked`, () => {
    expect(pageOf(everyone, pageRequest({})).people).toHaveLength(PEOPLE_PAGE_DEFAULT);
    for (const limit of ["101", "100000", "999999999999"]) {
      expect(pageOf(everyone, pageRequest({ limit })).people, limit).toHaveLength(PEOPLE_PAGE_MAX);
    }
    expect(pageOf(everyone, pageRequest({ limit: "3" })).people).toEqual(everyone.slice(0, 3));
  });

  it("walk through everyone exactly once, in order, for any page size; the last page has no `next`", () => {
    for (const limit of [undefined, "1", "7", "100", "5000"]) {
      const pages = walk(everyone, limit);
      expect(pages.flat(), `limit ${limit}`).toEqual(everyone);
      expect(pages.at(-1)!.length).toBeGreaterThan(0);
    }
    expect(pageOf([], pageRequest({}))).toEqual({ people: [], total: 0 });
  });

  it("keep their place when people come and go between pages: nobody who stays is skipped or sent twice", () => {
    const first = pageOf(everyone, pageRequest({ limit: "10" }));
    // The 5th person leaves and a newcomer sorts before the cursor: the next page starts right after the cursor still.
    const changed = mergePeople([[...everyone.filter((_, i) => i !== 4), { userId: "g_new", name: "", status: "lobby" }]]);
    const second = pageOf(changed, pageRequest({ limit: "10", after: first.next }));
    expect(second.people).toEqual(everyone.slice(10, 20));
  });

  it("refuse a negative, zero, fractional or non-numeric limit and a forged or garbage cursor (400 invalid_request)", () => {
    const bad: Record<string, unknown>[] = [
      { limit: "-1" }, { limit: "0" }, { limit: "1.5" }, { limit: "ten" }, { limit: "" }, { limit: "1e3" }, { limit: ["1", "2"] },
      { after: "" }, { after: "!!!" }, { after: "bm90IGpzb24" }, { after: Buffer.from("[1,2]").toString("base64url") },
      { after: Buffer.from(JSON.stringify(["a"])).toString("base64url") }, { after: Buffer.from(JSON.stringify(["a", "x".repeat(65)])).toString("base64url") },
      { after: "A".repeat(600) }, { after: ["a", "b"] },
    ];
    for (const query of bad) expect(() => pageRequest(query), JSON.stringify(query)).toThrow(ZodError);
  });

  it("answer a cursor past the end with an empty last page", () => {
    const past = Buffer.from(JSON.stringify(["\uffff", "g_zzz"])).toString("base64url");
    expect(pageOf(everyone, pageRequest({ after: past }))).toEqual({ people: [], total: everyone.length });
  });
});
