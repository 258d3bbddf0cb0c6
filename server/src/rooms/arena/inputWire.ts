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
import { ClientState, type Client, type Room } from "@colyseus/core";
import { $values, decode, type Schema } from "@colyseus/schema";
import { ProtocolModifier } from "@colyseus/shared-types";
import { PlayerInput, type InputCommand } from "@arena/shared";
import { clientSocket, replaceInputDecoders, stampIsRenderTime, type ClientInputSlots } from "../../colyseusInternals.ts";
import { routeInputFrames } from "../../frameLimit.ts";

type Reader = (bytes: Uint8Array, it: { offset: number }) => unknown;

interface Field {
  index: number;
  name: string;
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
    fields[Number(index)] = { index: Number(index), name: field.name, read };
  }
  return fields;
}

const FIELDS = fieldsOf(PlayerInput);
/** The value slot of each field the step reads. */
function slotOf(name: keyof InputCommand): number {
  const field = FIELDS.find((f) => f?.name === name);
  if (field === undefined) throw new Error(`the input schema has no field ${name}`);
  return field.index;
}
const MX = slotOf("mx");
const MY = slotOf("my");
const AIM = slotOf("aim");
const FIRE = slotOf("fire");
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
    return this.decodeFrom(bytes, 0);
  }

  /** Reads the input body that starts at `offset` of `bytes` (a whole frame: no view made of it). */
  decodeFrom(bytes: Uint8Array, offset: number): Schema {
    const it = this.it;
    it.offset = offset;
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

  /**
   * The input decoded so far as a plain object put through `sanitize`, the instance's own values set to the
   * sanitized ones too: Colyseus' path sanitizes the instance in place (what the room's `inputs.get(id).latest`
   * reads) and buffers a copy. Straight into the value slots, as decoding does.
   */
  sanitized(sanitize: (input: InputCommand) => void): InputCommand {
    const v = this.values;
    const copy: InputCommand = { mx: v[MX] as number, my: v[MY] as number, aim: v[AIM] as number, fire: v[FIRE] as boolean };
    sanitize(copy);
    v[MX] = copy.mx;
    v[MY] = copy.my;
    v[AIM] = copy.aim;
    v[FIRE] = copy.fire;
    return copy;
  }

  decodeAll(bytes: Uint8Array, onInput: (instance: unknown, seq: number) => void): number {
    return this.generic.decodeAll(bytes, onInput);
  }
}

/**
 * Makes `room` read its clients' input frames with PlayerInputDecoder, and take each client's reliable-input
 * frames straight from its socket (frameLimit.ts' input route) into its input buffer (before anyone joins it).
 *
 * Colyseus' path for an input frame is the socket's 'message' event, Room#_onMessage (a bound call, its message
 * counters, an iterator object) and RoomInput#decodeReliable (a view of the body, the sanitizer through the
 * input schema's change-tracked setters, a clone): per input, more than the decoding. What it does to the
 * buffer is done here the same way (colyseusInternals.ts, "Input frames"): a LEAVING client's input dropped,
 * the TIMED stamp added to the client's baseline and pushed as the input's render time (reckon time when the
 * room's rewind is in reckon mode), the body decoded into the client's input, the input sanitized, and a plain
 * copy pushed. A body it cannot read drops that input, as Colyseus' does (without its error line per frame, which a
 * hostile client could send at the flood limit). server/test/input-wire.test.ts checks the buffer against
 * Colyseus' own path, frame by frame.
 */
export function readInputsDirectly(room: Room, sanitize: (input: InputCommand) => void): void {
  replaceInputDecoders(room, (instance: Schema, generic: InputFrameDecoder, client: Client, slots: ClientInputSlots) => {
    const decoder = new PlayerInputDecoder(instance, generic);
    const socket = clientSocket(client);
    if (socket !== undefined) routeInputFrames(socket, inputTaker(decoder, slots, stampIsRenderTime(room), sanitize));
    return decoder;
  });
}

function inputTaker(decoder: PlayerInputDecoder, slots: ClientInputSlots, renderStamps: boolean, sanitize: (input: InputCommand) => void): (frame: Uint8Array) => void {
  const it = { offset: 0 };
  return (frame) => {
    if (slots.state === ClientState.LEAVING) return;
    it.offset = 1;
    let stamp = 0;
    try {
      if ((frame[0]! & ProtocolModifier.TIMED) !== 0) stamp = slots._reckonBaseline += decode.number(frame, it);
      decoder.decodeFrom(frame, it.offset);
    } catch {
      return;
    }
    slots._inputBuffer.push(decoder.sanitized(sanitize), renderStamps ? stamp : 0, renderStamps ? 0 : stamp);
  };
}
