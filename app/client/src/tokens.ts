// SPL Token and Token-2022 accounts a trader needs: the associated token account of a mint (derived with the
// mint's own token program, so a Token-2022 mint gets its Token-2022 account) and the idempotent instruction
// that creates it, and a token account's balance read from its bytes (the base layout both programs share).
import { type AccountSignerMeta, AccountRole, type Address, type Instruction, type TransactionSigner, address, getAddressEncoder, getProgramDerivedAddress } from '@solana/kit';

export const TOKEN_PROGRAM_ADDRESS = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const TOKEN_2022_PROGRAM_ADDRESS = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
export const ASSOCIATED_TOKEN_PROGRAM_ADDRESS = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSTEM_PROGRAM_ADDRESS = address('11111111111111111111111111111111');

/** The associated token account of `owner` for `mint` under `tokenProgram` (SPL Token or Token-2022). */
export async function associatedTokenAddress(owner: Address, mint: Address, tokenProgram: Address): Promise<Address> {
  const key = (value: Address) => getAddressEncoder().encode(value) as Uint8Array;
  const [found] = await getProgramDerivedAddress({ programAddress: ASSOCIATED_TOKEN_PROGRAM_ADDRESS, seeds: [key(owner), key(tokenProgram), key(mint)] });
  return found;
}

/** CreateIdempotent of the associated token program: creates `owner`'s account for `mint` when missing,
 * does nothing when it exists; `payer` pays the rent. */
export function createAssociatedTokenIdempotent(payer: TransactionSigner, owner: Address, mint: Address, tokenProgram: Address, tokenAccount: Address): Instruction {
  const payerMeta: AccountSignerMeta = { address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer };
  return {
    programAddress: ASSOCIATED_TOKEN_PROGRAM_ADDRESS,
    accounts: [
      payerMeta,
      { address: tokenAccount, role: AccountRole.WRITABLE },
      { address: owner, role: AccountRole.READONLY },
      { address: mint, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM_ADDRESS, role: AccountRole.READONLY },
      { address: tokenProgram, role: AccountRole.READONLY },
    ],
    data: new Uint8Array([1]),
  };
}

/** The amount (native units) of a token account's bytes: a u64 at offset 64 in SPL Token and Token-2022. */
export function tokenAccountAmount(data: Uint8Array): bigint {
  if (data.length < 72) throw new Error(`WrongAccountType: ${data.length} bytes is not a token account`);
  return new DataView(data.buffer, data.byteOffset).getBigUint64(64, true);
}
