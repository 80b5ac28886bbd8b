// One transaction from the app: built as v0 with the wallet's account paying, simulated unsigned (the
// program's refusal comes back by name and message before the wallet is asked), signed by the wallet, sent,
// and confirmed by polling its status (bounded). Each step is reported, so the page shows progress.
import {
  type Address,
  type Instruction,
  type Rpc,
  type Signature,
  type SolanaRpcApi,
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  getBase58Decoder,
  getBase64Decoder,
  getTransactionDecoder,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
} from '@solana/kit';
import { Refused, confirmed, programErrorOf } from '@margin/client';
import { RpcUnavailable } from './chain';

export type Step = 'simulating' | 'signing' | 'sending' | 'confirming';

const base64 = (bytes: Uint8Array) => getBase64Decoder().decode(bytes);

/** Calls the RPC, turning a transport failure into [`RpcUnavailable`]. */
async function call<T>(url: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof TypeError || (error instanceof Error && /fetch|network|HTTP error/i.test(error.message))) throw new RpcUnavailable(url, error);
    throw error;
  }
}

/** Simulates, has `sign` sign, sends and confirms `instructions` paid by `payer`; the signature. Throws
 * `Refused` (the program's error, nothing sent), `WalletDeclined` (nothing sent) or `RpcUnavailable`. */
export async function submit(
  rpc: Rpc<SolanaRpcApi>,
  url: string,
  payer: Address,
  sign: (transaction: Uint8Array) => Promise<Uint8Array>,
  instructions: Instruction[],
  onStep: (step: Step) => void,
  timeoutMs = 30_000,
): Promise<Signature> {
  onStep('simulating');
  const { value: blockhash } = await call(url, () => rpc.getLatestBlockhash({ commitment: 'confirmed' }).send());
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const unsigned = new Uint8Array(getTransactionEncoder().encode(compileTransaction(message)));
  const simulation = await call(url, () =>
    rpc.simulateTransaction(base64(unsigned) as never, { encoding: 'base64', sigVerify: false, commitment: 'confirmed' }).send(),
  );
  if (simulation.value.err) throw new Refused(simulation.value.err, programErrorOf(simulation.value.err), simulation.value.logs ?? []);
  onStep('signing');
  const signed = await sign(unsigned);
  const signatureBytes = getTransactionDecoder().decode(signed).signatures[payer];
  if (!signatureBytes) throw new Error('The wallet returned the transaction without its signature.');
  const signature = getBase58Decoder().decode(signatureBytes) as Signature;
  onStep('sending');
  await call(url, () => rpc.sendTransaction(base64(signed) as never, { encoding: 'base64', skipPreflight: true }).send());
  onStep('confirming');
  try {
    return await confirmed(rpc, signature, timeoutMs);
  } catch (error) {
    if (error instanceof Refused) throw error;
    // Sent already: never "nothing was sent" from here.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(reason.startsWith(signature) ? reason : `${signature} was sent, but its confirmation could not be read (${reason}): check it before trying again.`);
  }
}
