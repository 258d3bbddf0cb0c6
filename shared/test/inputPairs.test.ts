/** Input pairs (wire/inputPairs.ts): the frame's layout, what a split refuses, and what a pairing connection sends when. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { INPUT_PAIR_CODE, isInputPair, packInputPair, pairInputs, splitInputPair } from "../src/wire/inputPairs.ts";

/** Colyseus' ROOM_INPUT_RELIABLE with and without the TIMED modifier bit, then a stamp and a body. */
const A = Uint8Array.from([19 | 128, 33, 0x80, 5]);
const B = Uint8Array.from([19, 0x81, 7, 0x83, 1]);
const CHAT = Uint8Array.from([13, 1, 2, 3]);

describe("input pair frames", () => {
  it("pack and split give back both input frames, byte for byte and in order", () => {
    const pair = packInputPair(A, B);
    expect([...pair]).toEqual([INPUT_PAIR_CODE, A.length, ...A, ...B]);
    expect(isInputPair(pair)).toBe(true);
    const halves = splitInputPair(pair);
    expect(halves?.map((h) => [...h])).toEqual([[...A], [...B]]);
  });

  const malformed: Array<[string, number[]]> = [
    ["a first length past the frame's end", [INPUT_PAIR_CODE, 40, ...A, ...B]],
    ["a first length that leaves no second input", [INPUT_PAIR_CODE, A.length + B.length, ...A, ...B]],
    ["an empty first input", [INPUT_PAIR_CODE, 0, ...A, ...B]],
    ["a first half that is not an input frame", [INPUT_PAIR_CODE, CHAT.length, ...CHAT, ...B]],
    ["a second half that is not an input frame", [INPUT_PAIR_CODE, A.length, ...A, ...CHAT]],
    ["a frame too short to hold two inputs", [INPUT_PAIR_CODE, 1, 19]],
    ["a modifier bit on the pair's code", [INPUT_PAIR_CODE | 128, A.length, ...A, ...B]],
  ];
  for (const [what, bytes] of malformed) {
    it(`refuses ${what}`, () => {
      expect(splitInputPair(Uint8Array.from(bytes))).toBeUndefined();
    });
  }

  it("a pair's code with modifier bits still claims to be a pair (so the server refuses it rather than passing it on)", () => {
    expect(isInputPair(Uint8Array.from([INPUT_PAIR_CODE | 128, 1, 19, 19]))).toBe(true);
    expect(isInputPair(A)).toBe(false);
  });
});

describe("a pairing connection", () => {
  let sent: number[][];
  let connection: { send(data: Uint8Array): void; isOpen: boolean };
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    connection = { isOpen: true, send: (data) => sent.push([...data]) };
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("holds an input and sends it with the next one, as one frame", () => {
    pairInputs(connection, 50);
    const reused = Uint8Array.from(A);
    connection.send(reused);
    reused.fill(0); // the SDK writes its next input into the same buffer
    expect(sent).toEqual([]);
    connection.send(B);
    expect(sent).toEqual([[...packInputPair(A, B)]]);
  });

  it("sends a held input alone when no other input follows within the hold time", () => {
    pairInputs(connection, 50);
    connection.send(A);
    vi.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([[...A]]);
    connection.send(B); // a new pair starts
    expect(sent).toEqual([[...A]]);
  });

  it("sends a held input before any other frame, so nothing is reordered", () => {
    pairInputs(connection, 50);
    connection.send(A);
    connection.send(CHAT);
    expect(sent).toEqual([[...A], [...CHAT]]);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(2);
  });

  it("forgets a held input once the connection has closed", () => {
    pairInputs(connection, 50);
    connection.send(A);
    connection.isOpen = false;
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([]);
  });

  it("undoing it flushes or drops the held input, and later inputs go out one by one", () => {
    let undo = pairInputs(connection, 50);
    connection.send(A);
    undo("flush");
    expect(sent).toEqual([[...A]]);
    connection.send(B);
    expect(sent).toEqual([[...A], [...B]]);
    undo = pairInputs(connection, 50);
    connection.send(A);
    undo("drop");
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([[...A], [...B]]);
  });
});
