// Wallet Standard wallets (Phantom, Solflare, Backpack and any other that registers itself): found with
// @wallet-standard/app, connected with `standard:connect`, asked to sign with `solana:signTransaction`. The app
// builds, simulates and sends the transaction itself, so a refusal is shown before the wallet is asked.
import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';

const CONNECT = 'standard:connect';
const DISCONNECT = 'standard:disconnect';
const SIGN_TRANSACTION = 'solana:signTransaction';

type ConnectFeature = { connect(input?: { silent?: boolean }): Promise<{ accounts: readonly WalletAccount[] }> };
type DisconnectFeature = { disconnect(): Promise<void> };
type SignTransactionFeature = {
  signTransaction(...inputs: { account: WalletAccount; transaction: Uint8Array; chain?: string }[]): Promise<readonly { signedTransaction: Uint8Array }[]>;
};

/** The registered wallets that can sign Solana transactions. */
export function solanaWallets(): Wallet[] {
  return getWallets()
    .get()
    .filter((wallet) => SIGN_TRANSACTION in wallet.features && CONNECT in wallet.features && wallet.chains.some((chain) => chain.startsWith('solana:')));
}

/** Calls `changed` whenever a wallet registers or leaves; returns the unsubscribe. */
export function onWalletsChanged(changed: () => void): () => void {
  const wallets = getWallets();
  const off = [wallets.on('register', changed), wallets.on('unregister', changed)];
  return () => off.forEach((stop) => stop());
}

/** The wallet declined (or failed) to connect or sign: nothing was sent. */
export class WalletDeclined extends Error {}

/** A connected wallet account that signs transactions for `chain`. */
export type Connected = { wallet: Wallet; account: WalletAccount; chain: `solana:${string}`; sign(transaction: Uint8Array): Promise<Uint8Array> };

/** Asks `wallet` to connect; its first account signs. */
export async function connect(wallet: Wallet, chain: `solana:${string}`): Promise<Connected> {
  let accounts: readonly WalletAccount[];
  try {
    ({ accounts } = await (wallet.features[CONNECT] as ConnectFeature).connect());
  } catch (error) {
    throw new WalletDeclined(`${wallet.name} did not connect: ${error instanceof Error ? error.message : String(error)}`);
  }
  const account = accounts[0];
  if (!account) throw new WalletDeclined(`${wallet.name} gave no account.`);
  const signer = wallet.features[SIGN_TRANSACTION] as SignTransactionFeature;
  return {
    wallet,
    account,
    chain,
    async sign(transaction) {
      try {
        const [signed] = await signer.signTransaction({ account, transaction, chain });
        return signed.signedTransaction;
      } catch (error) {
        throw new WalletDeclined(`The wallet declined to sign: ${error instanceof Error ? error.message : String(error)}. Nothing was sent.`);
      }
    },
  };
}

/** Disconnects when the wallet supports it. */
export async function disconnect(connected: Connected): Promise<void> {
  const feature = connected.wallet.features[DISCONNECT] as DisconnectFeature | undefined;
  await feature?.disconnect();
}
