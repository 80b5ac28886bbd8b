// The program's addresses that Codama does not render (seeds with arguments), derived as programs/margin/src/
// seeds.rs derives them, and the Pyth push-oracle feed account a bank pins (shard 0).
import { type Address, address, getAddressEncoder, getProgramDerivedAddress, getU16Encoder, getU64Encoder } from '@solana/kit';
import { MARGIN_PROGRAM_ADDRESS } from './generated';

/** The Pyth push oracle program: feed accounts are its PDAs of (shard u16 LE, feed id). */
export const PYTH_PUSH_ORACLE_ADDRESS = address('pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT');

const text = (value: string) => new TextEncoder().encode(value);
const key = (value: Address) => getAddressEncoder().encode(value);

async function find(seeds: Uint8Array[], programAddress: Address = MARGIN_PROGRAM_ADDRESS): Promise<Address> {
  const [found] = await getProgramDerivedAddress({ programAddress, seeds });
  return found;
}

/** The group PDA ["group", id u64 LE]. */
export const groupAddress = (groupId: bigint) => find([text('group'), getU64Encoder().encode(groupId) as Uint8Array]);

/** The margin account PDA ["account", group, owner, index u16 LE]. */
export const marginAccountAddress = (group: Address, owner: Address, index: number) =>
  find([text('account'), key(group) as Uint8Array, key(owner) as Uint8Array, getU16Encoder().encode(index) as Uint8Array]);

/** The proposal PDA ["proposal", group, id u64 LE]. */
export const proposalAddress = (group: Address, id: bigint) =>
  find([text('proposal'), key(group) as Uint8Array, getU64Encoder().encode(id) as Uint8Array]);

/** The bank PDA ["bank", group, mint]. */
export const bankAddress = (group: Address, mint: Address) => find([text('bank'), key(group) as Uint8Array, key(mint) as Uint8Array]);

/** The Pyth push-oracle feed account of `feedId` (32 bytes), shard 0: the only price account a bank may pin. */
export const pushFeedAddress = (feedId: Uint8Array) =>
  find([getU16Encoder().encode(0) as Uint8Array, feedId], PYTH_PUSH_ORACLE_ADDRESS);
