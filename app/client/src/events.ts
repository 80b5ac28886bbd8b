// The program's events, decoded from a transaction's logs ("Program data: <base64>", Anchor's emit!): Codama
// renders no event types, so each event is read from the IDL (its discriminator and fields), with kit's codecs
// for primitives and the generated codecs for the program's named types (HealthValue, ProposalAction, ...).
import {
  type Decoder,
  getAddressDecoder,
  getArrayDecoder,
  getBase64Encoder,
  getBooleanDecoder,
  getI16Decoder,
  getI64Decoder,
  getStructDecoder,
  getU16Decoder,
  getU32Decoder,
  getU64Decoder,
  getU8Decoder,
} from '@solana/kit';
import idl from '../../../idl/margin.json';
import * as generated from './generated';

/** A decoded event: its IDL name and its fields (camelCase, u64/i64 as bigint, addresses as base58). */
export type MarginEvent = { name: string; fields: Record<string, unknown> };

type IdlType = string | { defined: { name: string } } | { array: [IdlType, number] } | { vec: IdlType };

const hex = (bytes: ArrayLike<number>) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

const PRIMITIVES: Record<string, () => Decoder<unknown>> = {
  bool: getBooleanDecoder,
  u8: getU8Decoder,
  u16: getU16Decoder,
  u32: getU32Decoder,
  u64: getU64Decoder,
  i16: getI16Decoder,
  i64: getI64Decoder,
  pubkey: getAddressDecoder,
};

function decoderOf(type: IdlType): Decoder<unknown> {
  if (typeof type === 'string') {
    const primitive = PRIMITIVES[type];
    if (!primitive) throw new Error(`an event field of IDL type ${type} has no decoder`);
    return primitive();
  }
  if ('array' in type) return getArrayDecoder(decoderOf(type.array[0]), { size: type.array[1] }) as Decoder<unknown>;
  // Borsh's Vec: a u32 length, then the items (kit's default array prefix).
  if ('vec' in type) return getArrayDecoder(decoderOf(type.vec)) as Decoder<unknown>;
  const named = (generated as unknown as Record<string, () => Decoder<unknown>>)[`get${type.defined.name}Decoder`];
  if (!named) throw new Error(`no generated decoder for ${type.defined.name}`);
  return named();
}

const TYPES = new Map(idl.types.map((type) => [type.name, type]));

/** Each event's discriminator (hex) → its name and decoder, built once. */
const EVENTS = new Map(
  idl.events.map((event) => {
    const fields = (TYPES.get(event.name)?.type as { fields?: { name: string; type: IdlType }[] }).fields ?? [];
    const decoder = getStructDecoder(fields.map((field) => [camel(field.name), decoderOf(field.type)] as [string, Decoder<unknown>]));
    return [hex(event.discriminator), { name: event.name, decoder }];
  }),
);

const PREFIX = 'Program data: ';

/** Every event of the program in `logs`, in order (other lines, and data of other programs, are skipped). */
export function decodeEvents(logs: readonly string[]): MarginEvent[] {
  const events: MarginEvent[] = [];
  for (const line of logs) {
    if (!line.startsWith(PREFIX)) continue;
    let bytes: Uint8Array;
    try {
      bytes = getBase64Encoder().encode(line.slice(PREFIX.length).trim()) as Uint8Array;
    } catch {
      continue; // not base64: not an event
    }
    const event = EVENTS.get(hex(bytes.subarray(0, 8)));
    if (event) events.push({ name: event.name, fields: event.decoder.decode(bytes, 8) as Record<string, unknown> });
  }
  return events;
}
