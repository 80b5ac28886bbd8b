// A Wallet Standard wallet for the browser tests: registered in the page before the app loads (as an
// extension's content script would), signing with a keypair held by the test process (never in the page),
// through a function Playwright exposes. It can be told to reject the next signature, as a user would.
import { createKeyPairFromBytes, getAddressFromPublicKey, getTransactionDecoder, getTransactionEncoder, partiallySignTransaction } from '@solana/kit';

/** Runs in the page: registers "Test Wallet" with the app (both orders of the Wallet Standard handshake). */
function registerInPage({ address, publicKey }) {
  const chains = ['solana:localnet', 'solana:devnet', 'solana:mainnet'];
  const account = { address, publicKey: new Uint8Array(publicKey), chains, features: ['solana:signTransaction'] };
  let accounts = [];
  const listeners = new Set();
  const wallet = {
    version: '1.0.0',
    name: 'Test Wallet',
    icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=',
    chains,
    get accounts() { return accounts; },
    features: {
      'standard:connect': { version: '1.0.0', connect: async () => { accounts = [account]; listeners.forEach((listener) => listener({ accounts })); return { accounts }; } },
      'standard:disconnect': { version: '1.0.0', disconnect: async () => { accounts = []; listeners.forEach((listener) => listener({ accounts })); } },
      'standard:events': { version: '1.0.0', on: (_event, listener) => { listeners.add(listener); return () => listeners.delete(listener); } },
      'solana:signTransaction': {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signTransaction: async (...inputs) =>
          Promise.all(inputs.map(async ({ transaction }) => ({ signedTransaction: new Uint8Array(await window.__testWalletSign(Array.from(transaction))) }))),
      },
    },
  };
  const callback = ({ register }) => register(wallet);
  window.addEventListener('wallet-standard:app-ready', (event) => callback(event.detail));
  window.dispatchEvent(new CustomEvent('wallet-standard:register-wallet', { detail: callback }));
}

/** Installs the wallet of `secretKey` (64 bytes, a Solana CLI keypair file's) in `page`; returns its controls. */
export async function installTestWallet(page, secretKey) {
  const keyPair = await createKeyPairFromBytes(new Uint8Array(secretKey));
  const address = await getAddressFromPublicKey(keyPair.publicKey);
  const state = { rejectNext: false, signed: 0, rejected: 0 };
  await page.exposeFunction('__testWalletSign', async (bytes) => {
    if (state.rejectNext) {
      state.rejectNext = false;
      state.rejected += 1;
      throw new Error('User rejected the request');
    }
    const transaction = getTransactionDecoder().decode(new Uint8Array(bytes));
    const signed = await partiallySignTransaction([keyPair], transaction);
    state.signed += 1;
    return Array.from(getTransactionEncoder().encode(signed));
  });
  await page.addInitScript(registerInPage, { address, publicKey: Array.from(new Uint8Array(secretKey).slice(32)) });
  return { address, state };
}
