/**
 * The input frame's schema bytes, read straight into the client's input instead of through Colyseus' generic
 * schema `Decoder`. An input is a flat struct of four primitives, and the SDK's `InputEncoder` writes only the
 * fields that changed, each as one byte of operation and field index (ADD or REPLACE, index < 64) then the
 * value in the field's own wire type. The generic decoder, built for whole state trees, keeps reference
 * bookkeeping and change tracking per frame: at 100 players it was 5.8–8.9 % of the event loop's samples
 * (docs/BENCHMARKS.md, issue 23, third pass), for ~7 bytes a frame.
 *
 * Same values as the generic decoder for every frame the SDK sends (the value readers are the schema
 * package's own), checked by server/test/input-wire.test.ts against it on random input sequences. A value
 * goes straight into the instance's value slots (`$values`, exported by the schema package, what its field
 * getters read), not through the field setters: their change tracking is for encoding, and this instance is
 * never encoded. What it does not read — a delete, an unknown field, a structure switch — throws: Colyseus
 * then drops that input (the generic decoder would delete or skip, which no client of ours sends).
 */
import type { Room } from "@colyseus/core";
import { $values, decode, type Schema } from "@colyseus/schema";
import { PlayerInput } from "@arena/shared";
import { replaceInputDecoders } from "../../colyseusInternals.ts";

type Reader = (bytes: Uint8Array, it: { offset: number }) => unknown;

interface Field {
  index: number;
  read: Reader;
}

/** Field index → name and wire reader, from the schema's own metadata (a changed schema changes the table). */
function fieldsOf(type: typeof PlayerInput): Array<Field | undefined> {
  const metadata = (type as unknown as Record<symbol, Record<string, { name: string; type: unknown }> | undefined>)[Symbol.metadata];
  if (metadata === undefined) throw new Error("input schema without metadata");
  const fields: Array<Field | undefined> = [];
  for (const [index, field] of Object.entries(metadata)) {
    if (!/^\d+$/.test(index)) continue;
    const read = typeof field.type === "string" ? (decode as unknown as Record<string, Reader | undefined>)[field.type] : undefined;
    if (read === undefined) throw new Error(`input field ${field.name} is not a primitive the wire reader knows`);
    fields[Number(index)] = { index: Number(index), read };
  }
  return fields;
}

const FIELDS = fieldsOf(PlayerInput);
/** The operation bits of a field byte (schema OPERATION): ADD 128, REPLACE 0; DELETE 64 and DELETE_AND_ADD 192 are refused. */
const OPERATION_MASK = 0xc0;
const ADD = 0x80;
const INDEX_MASK = 0x3f;

/** What RoomInput calls on a client's decoder; `decodeAll` (unreliable inputs, refused by our frame guard) stays the generic one's. */
export interface InputFrameDecoder {
  decode(bytes: Uint8Array): unknown;
  decodeAll(bytes: Uint8Array, onInput: (instance: unknown, seq: number) => void): number;
}

export class PlayerInputDecoder implements InputFrameDecoder {
  private readonly it = { offset: 0 };
  private readonly values: unknown[];

  constructor(readonly instance: Schema, private readonly generic: InputFrameDecoder) {
    const values = (instance as unknown as Record<symbol, unknown[] | undefined>)[$values];
    if (values === undefined) throw new Error("@colyseus/schema changed: an input instance has no $values; review server/src/rooms/arena/inputWire.ts");
    this.values = values;
  }

  decode(bytes: Uint8Array): Schema {
    const it = this.it;
    it.offset = 0;
    while (it.offset < bytes.length) {
      const byte = bytes[it.offset++]!;
      const operation = byte & OPERATION_MASK;
      const field = operation === ADD || operation === 0 ? FIELDS[byte & INDEX_MASK] : undefined;
      if (field === undefined) throw new Error(`input frame: byte ${byte} at ${it.offset - 1} is not a field of the input`);
      const value = field.read(bytes, it);
      if (value !== undefined && value !== null) this.values[field.index] = value;
    }
    return this.instance;
  }

  decodeAll(bytes: Uint8Array, onInput: (instance: unknown, seq: number) => void): number {
    return this.generic.decodeAll(bytes, onInput);
  }
}

/** Makes `room` read its clients' input frames with PlayerInputDecoder (before anyone joins it). */
export function readInputsDirectly(room: Room): void {
  replaceInputDecoders(room, (instance: Schema, generic: InputFrameDecoder) => new PlayerInputDecoder(instance, generic));
}
