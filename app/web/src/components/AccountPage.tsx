// The trader's accounts in this group: cross and isolated, each with its health bars, positions and the
// action form; opening a new account and closing an empty one.
import { useState } from 'react';
import { type Address, type Rpc, type SolanaRpcApi, createNoopSigner } from '@solana/kit';
import { AccountKind, getCloseAccountInstruction, openAccount } from '@margin/client';
import type { Loaded } from '../chain';
import { type Step, submit } from '../send';
import type { Connected } from '../wallet';
import { ActionForm, describeFailure } from './ActionForm';
import { HealthBars, accountHealth } from './Health';
import { Positions, positionsOf } from './Positions';

type Props = {
  loaded: Loaded;
  connected: Connected | null;
  rpc: Rpc<SolanaRpcApi>;
  rpcUrl: string;
  selected: string | null;
  onSelect: (account: string) => void;
  onDone: () => void;
};

const kindName = (kind: AccountKind) => (kind === AccountKind.Isolated ? 'Isolated' : 'Cross');

export function AccountPage({ loaded, connected, rpc, rpcUrl, selected, onSelect, onDone }: Props) {
  const [kind, setKind] = useState<AccountKind>(AccountKind.Cross);
  const [step, setStep] = useState<Step | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  if (!connected) return <p className="notice">Connect a wallet to see and manage your accounts.</p>;
  const owner = createNoopSigner(connected.account.address as Address);
  const run = async (what: string, instructionsOf: () => Promise<Parameters<typeof submit>[4]>) => {
    setOutcome(null);
    try {
      await submit(rpc, rpcUrl, owner.address, connected.sign, await instructionsOf(), setStep);
      setOutcome({ ok: true, text: `${what}: done.` });
      onDone();
    } catch (error) {
      setOutcome({ ok: false, text: describeFailure(error) });
    } finally {
      setStep(null);
    }
  };
  const nextIndex = loaded.accounts.reduce((next, row) => Math.max(next, row.account.index + 1), 0);
  const current = loaded.accounts.find((row) => row.address === selected) ?? loaded.accounts[0];
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">Your accounts</h2>
      <nav aria-label="Accounts" className="accounts">
        {loaded.accounts.map((row) => (
          <button key={row.address} type="button" aria-pressed={row.address === current?.address} onClick={() => onSelect(row.address)} title={row.address}>
            {kindName(row.account.kind)} #{row.account.index}
          </button>
        ))}
      </nav>
      <form className="open" onSubmit={(event) => { event.preventDefault(); void run(`Opened ${kindName(kind)} account #${nextIndex}`, async () => [await openAccount(owner, loaded.group.address, nextIndex, kind)]); }}>
        <label>
          New account
          <select value={kind} onChange={(event) => setKind(Number(event.target.value) as AccountKind)}>
            <option value={AccountKind.Cross}>Cross margin (all positions back each other)</option>
            <option value={AccountKind.Isolated}>Isolated (one ring-fenced position)</option>
          </select>
        </label>
        <button type="submit" disabled={step !== null}>Open account #{nextIndex}</button>
      </form>
      <p role="status" aria-live="polite">{step ? `${step}…` : ''}</p>
      {outcome && <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'good' : 'bad'}>{outcome.text}</p>}
      {current && (
        <article aria-label={`${kindName(current.account.kind)} account #${current.account.index}`} data-account={current.address}>
          <h3>
            {kindName(current.account.kind)} account #{current.account.index} <span className="muted mono">{current.address}</span>
          </h3>
          {current.account.beingLiquidated === 1 && <p className="bad">Being liquidated: a liquidator has started and may go on until LiqEnd ≥ 0.</p>}
          <HealthBars health={accountHealth(loaded.snapshot, current.address)} />
          <Positions loaded={loaded} account={current.address} />
          <ActionForm key={current.address} loaded={loaded} account={current} connected={connected} rpc={rpc} rpcUrl={rpcUrl} onDone={onDone} />
          {positionsOf(loaded, current.address).length === 0 && (
            <button type="button" className="secondary" disabled={step !== null} onClick={() => void run('Closed the account (rent returned)', async () => [getCloseAccountInstruction({ owner, account: current.address })])}>
              Close this empty account
            </button>
          )}
        </article>
      )}
    </section>
  );
}
