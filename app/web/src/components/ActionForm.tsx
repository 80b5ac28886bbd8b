// Deposit, withdraw, borrow and repay on one account: a max button (WASM: the program's Init check to the unit,
// bounded by the bank's caps and liquidity and the wallet's balance), the health after the action as the
// program would book it, shown before signing; then simulate, sign, send and confirm, with progress and the
// program's error by name and message. The owner's token account is created when missing (Token-2022 too).
import { useState } from 'react';
import { type Address, type Instruction, type Rpc, type SolanaRpcApi, createNoopSigner } from '@solana/kit';
import { type BankInfo, Refused, borrow, createAssociatedTokenIdempotent, deposit, repay, withdraw } from '@margin/client';
import type { AccountRow, Loaded } from '../chain';
import { RpcUnavailable } from '../chain';
import { AmountError, formatQuote, formatUnits, parseUnits } from '../format';
import { type Step, submit } from '../send';
import { type Connected, WalletDeclined } from '../wallet';
import { positionsOf } from './Positions';

type ActionName = 'deposit' | 'withdraw' | 'borrow' | 'repay';
const ACTIONS: ActionName[] = ['deposit', 'withdraw', 'borrow', 'repay'];
const STEP_TEXT: Record<Step, string> = {
  simulating: 'Simulating…',
  signing: 'Waiting for the wallet to sign…',
  sending: 'Sending…',
  confirming: 'Confirming…',
};

type HealthAfter = { init: { health?: string; error?: string }; maint: { health?: string; error?: string } };

/** A failure as the trader reads it; every one says whether anything was sent. */
export function describeFailure(error: unknown): string {
  if (error instanceof Refused) {
    const what = error.programError ? `${error.programError.name}: ${error.programError.message}` : error.message;
    return `The program refused: ${what}. Nothing was sent.`;
  }
  if (error instanceof WalletDeclined || error instanceof AmountError) return error.message;
  if (error instanceof RpcUnavailable) return `${error.message} Nothing was sent.`;
  return error instanceof Error ? error.message : String(error);
}

const addsRisk = (action: ActionName) => action === 'withdraw' || action === 'borrow';

/** Why a withdraw or borrow cannot pass now because of a price: Init counts a deposit whose price is unusable
 * (stale, too uncertain) as 0 and refuses a debt's, so the trader is told which price, by the program's error. */
function priceProblem(loaded: Loaded, account: string, acted: string): string | null {
  const banks = new Set([acted, ...positionsOf(loaded, account).map((position) => position.bank)]);
  for (const row of loaded.banks.filter((bank) => banks.has(bank.address))) {
    const price = row.market.price;
    if ('error' in price) return `The ${row.symbol} price cannot be read: ${price.error}`;
    if ('unusable' in price.derived) return `The ${row.symbol} price cannot be used now: ${price.derived.unusable}`;
    if (!price.derived.usableToOpen) return `The ${row.symbol} price is too uncertain to add risk now (confidence above the bank's limit).`;
  }
  return null;
}

type Props = { loaded: Loaded; account: AccountRow; connected: Connected; rpc: Rpc<SolanaRpcApi>; rpcUrl: string; onDone: () => void };

export function ActionForm({ loaded, account, connected, rpc, rpcUrl, onDone }: Props) {
  const [action, setAction] = useState<ActionName>('deposit');
  const [bankAddress, setBankAddress] = useState<string>(loaded.banks[0]?.address ?? '');
  const [text, setText] = useState('');
  const [repayAll, setRepayAll] = useState(false);
  const [step, setStep] = useState<Step | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const row = loaded.banks.find((bank) => bank.address === bankAddress) ?? loaded.banks[0];
  if (!row) return <p>This group has no banks.</p>;
  const decimals = row.market.decimals;
  const position = positionsOf(loaded, account.address).find((entry) => entry.bank === row.address);
  const owed = BigInt(position?.borrow ?? '0');
  const balance = loaded.balances.get(row.address) ?? 0n;

  let amount: bigint | null = null;
  let problem: string | null = addsRisk(action) ? priceProblem(loaded, account.address, row.address) : null;
  let after: HealthAfter | null = null;
  if (text.trim() !== '' && problem === null) {
    try {
      amount = parseUnits(text, decimals, row.symbol);
      after = JSON.parse(loaded.snapshot.healthAfter(account.address, row.address, action, amount)) as HealthAfter;
      if (after.init.error && addsRisk(action)) problem = after.init.error;
    } catch (error) {
      problem = error instanceof AmountError ? error.message : String(error);
    }
  }

  const maxOf = (): bigint => {
    const most = (...values: bigint[]) => values.reduce((a, b) => (a < b ? a : b));
    switch (action) {
      case 'deposit':
        return most(balance, BigInt(row.market.depositable));
      case 'withdraw':
        return loaded.snapshot.maxWithdraw(account.address, row.address);
      case 'borrow':
        return most(loaded.snapshot.maxBorrow(account.address, row.address), BigInt(row.market.borrowable));
      case 'repay':
        return most(owed, balance);
    }
  };
  const setMax = () => {
    try {
      const most = maxOf();
      setText(formatUnits(most, decimals).replace(/,/g, ''));
      setRepayAll(action === 'repay' && most === owed && owed > 0n);
      setOutcome(null);
    } catch (error) {
      setOutcome({ ok: false, text: String(error) });
    }
  };

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (amount === null || problem !== null) return;
    setOutcome(null);
    const owner = createNoopSigner(connected.account.address as Address);
    const banks = new Map<Address, BankInfo>(loaded.banks.map((bank) => [bank.address, { address: bank.address, bank: bank.bank }]));
    const info = banks.get(row.address)!;
    const tokenAccount = loaded.tokenAccounts.get(row.address)!;
    const tokenAction = { owner, account: account.address, group: loaded.group.address, bank: info, userTokenAccount: tokenAccount.address };
    const instructions: Instruction[] = [];
    if (!tokenAccount.exists && (action === 'withdraw' || action === 'borrow')) {
      instructions.push(createAssociatedTokenIdempotent(owner, owner.address, info.bank.mint, info.bank.tokenProgram, tokenAccount.address));
    }
    if (action === 'deposit') instructions.push(deposit(tokenAction, amount));
    if (action === 'withdraw') instructions.push(withdraw(tokenAction, amount, account.account, banks));
    if (action === 'borrow') instructions.push(borrow(tokenAction, amount, account.account, banks));
    if (action === 'repay') instructions.push(repay(tokenAction, repayAll ? 0n : amount, repayAll));
    try {
      const signature = await submit(rpc, rpcUrl, owner.address, connected.sign, instructions, setStep);
      setOutcome({ ok: true, text: `Done: ${action} ${formatUnits(amount, decimals)} ${row.symbol} (${signature}).` });
      setText('');
      onDone();
    } catch (error) {
      setOutcome({ ok: false, text: describeFailure(error) });
    } finally {
      setStep(null);
    }
  };

  const busy = step !== null;
  const healthLine = (name: string, value: { health?: string; error?: string }) =>
    value.health !== undefined ? (
      <span className={BigInt(value.health) < 0n ? 'bad' : ''}>{name} {formatQuote(value.health)}</span>
    ) : (
      <span className="bad">{name}: {value.error}</span>
    );
  return (
    <form className="action" onSubmit={onSubmit} aria-labelledby="action-title">
      <h3 id="action-title">Act on this account</h3>
      <fieldset disabled={busy}>
        <legend className="visually-hidden">Action</legend>
        <div className="choices" role="radiogroup" aria-label="Action">
          {ACTIONS.map((name) => (
            <label key={name}>
              <input type="radio" name="action" value={name} checked={action === name} onChange={() => { setAction(name); setRepayAll(false); setOutcome(null); }} />
              {name}
            </label>
          ))}
        </div>
        <label>
          Token
          <select value={row.address} onChange={(event) => { setBankAddress(event.target.value); setRepayAll(false); setOutcome(null); }}>
            {loaded.banks.map((bank) => (
              <option key={bank.address} value={bank.address}>{bank.symbol}</option>
            ))}
          </select>
        </label>
        <label>
          Amount ({row.symbol})
          <span className="amount">
            <input inputMode="decimal" autoComplete="off" value={text} onChange={(event) => { setText(event.target.value); setRepayAll(false); setOutcome(null); }} aria-describedby="action-preview" placeholder="0.0" />
            <button type="button" onClick={setMax}>Max</button>
          </span>
        </label>
        <p className="muted">Wallet: {formatUnits(balance, decimals)} {row.symbol}{owed > 0n ? ` · owed: ${formatUnits(owed, decimals)}` : ''}{repayAll ? ' · repays the whole debt' : ''}</p>
        <div id="action-preview" aria-live="polite" data-preview>
          {problem && <p role="alert" className="bad" data-problem>{problem}</p>}
          {after && !problem && (
            <p>
              After: {healthLine('Init', after.init)} · {healthLine('Maint', after.maint)}
              {after.init.health !== undefined && BigInt(after.init.health) < 0n && (action === 'withdraw' || action === 'borrow') && (
                <span className="warn"> — Init would be negative: the program will refuse this.</span>
              )}
            </p>
          )}
        </div>
        <button type="submit" disabled={amount === null || problem !== null}>
          {action} {text || ''} {row.symbol}
        </button>
      </fieldset>
      <p role="status" aria-live="polite" data-step={step ?? ''}>{step ? STEP_TEXT[step] : ''}</p>
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'good' : 'bad'} data-outcome={outcome.ok ? 'ok' : 'refused'}>
          {outcome.text}
        </p>
      )}
    </form>
  );
}
