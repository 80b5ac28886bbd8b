// Sending with @solana/kit: a v0 transaction (compressed with address lookup tables when given, for accounts
// with many positions), simulated first so that a refusal comes back as the program's error by name before
// anything is sent, then sent and confirmed by polling its status (bounded).
import {
  type AddressesByLookupTableAddress,
  type Instruction,
  type Rpc,
  type Signature,
  type SolanaRpcApi,
  type TransactionSigner,
  appendTransactionMessageInstructions,
  type Blockhash,
  compileTransaction,
  compressTransactionMessageUsingAddressLookupTables,
  getTransactionEncoder,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import { type ProgramError, programErrorOf } from './errors';

/** A transaction the cluster refused (in simulation or on confirmation): the program's error when it is one. */
export class Refused extends Error {
  constructor(
    readonly transactionError: unknown,
    readonly programError: ProgramError | undefined,
    readonly logs: readonly string[],
  ) {
    super(programError ? `${programError.name}: ${programError.message}` : `refused: ${JSON.stringify(transactionError, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
}

export type SendOptions = {
  /** Address lookup tables (table address → its addresses) to compress the message with. */
  lookupTables?: AddressesByLookupTableAddress;
  /** Only simulate. */
  dryRun?: boolean;
  /** How long to wait for confirmation, ms (default 30 s). */
  timeoutMs?: number;
};

/** Solana's largest transaction on the wire, bytes. */
export const PACKET_DATA_SIZE = 1232;

/** The wire size of the v0 transaction of `instructions` (`payer` paying; lookup tables when given), bytes: what
 * must stay within [`PACKET_DATA_SIZE`]. Needs no blockhash or signatures (their space is counted). */
export function transactionSize(payer: TransactionSigner, instructions: Instruction[], lookupTables?: AddressesByLookupTableAddress): number {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: '11111111111111111111111111111111' as Blockhash, lastValidBlockHeight: 0n }, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => (lookupTables ? compressTransactionMessageUsingAddressLookupTables(m, lookupTables) : m),
  );
  return getTransactionEncoder().encode(compileTransaction(message)).length;
}

/** The signed v0 transaction of `instructions`, `payer` paying; its base64 wire form and signature. */
export async function signed(rpc: Rpc<SolanaRpcApi>, payer: TransactionSigner, instructions: Instruction[], lookupTables?: AddressesByLookupTableAddress) {
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => (lookupTables ? compressTransactionMessageUsingAddressLookupTables(m, lookupTables) : m),
  );
  const transaction = await signTransactionMessageWithSigners(message);
  return { wire: getBase64EncodedWireTransaction(transaction), signature: getSignatureFromTransaction(transaction) };
}

/** Simulates, then (unless `dryRun`) sends and waits for confirmation; the signature. Throws [`Refused`]. */
export async function send(rpc: Rpc<SolanaRpcApi>, payer: TransactionSigner, instructions: Instruction[], options: SendOptions = {}) {
  const { wire, signature } = await signed(rpc, payer, instructions, options.lookupTables);
  const simulation = await rpc.simulateTransaction(wire, { encoding: 'base64', commitment: 'confirmed' }).send();
  if (simulation.value.err) {
    throw new Refused(simulation.value.err, programErrorOf(simulation.value.err), simulation.value.logs ?? []);
  }
  if (options.dryRun) return signature;
  await rpc.sendTransaction(wire, { encoding: 'base64', skipPreflight: true }).send();
  return confirmed(rpc, signature, options.timeoutMs);
}

/** Polls `signature`'s status until it is confirmed (returned) or failed (throws [`Refused`]); throws after
 * `timeoutMs` (default 30 s) saying it was sent but not confirmed. */
export async function confirmed(rpc: Rpc<SolanaRpcApi>, signature: Signature, timeoutMs = 30_000): Promise<Signature> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status?.err) throw new Refused(status.err, programErrorOf(status.err), []);
    if (status?.confirmationStatus === 'confirmed' || status?.confirmationStatus === 'finalized') return signature;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${signature} was sent but not confirmed within ${timeoutMs / 1000} s: check it before trying again.`);
}
