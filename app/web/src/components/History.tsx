// An account's history from the program's events (read from its transactions' logs): deposits, borrows,
// repays, withdrawals, and above all liquidations and bankruptcy write-offs, in words.
import type { HistoryEntry, Loaded } from '../chain';
import { formatTime, formatUnits, short } from '../format';

function describe(entry: HistoryEntry, loaded: Loaded): string {
  const f = entry.fields as Record<string, any>;
  const bank = (address: unknown) => loaded.banks.find((row) => row.address === address);
  const units = (amount: unknown, address: unknown) => {
    const row = bank(address);
    return row ? `${formatUnits(BigInt(amount as bigint), row.market.decimals)} ${row.symbol}` : String(amount);
  };
  switch (entry.name) {
    case 'Liquidated':
      return `Liquidated by ${short(String(f.liquidator))}: repaid ${units(f.repaid, f.debtBank)}, seized ${units(f.seizedToLiquidator, f.collateralBank)}${f.seizedAsDeposit ? ' (credited to the liquidator\'s account)' : ''} (bonus ${Number(f.bonusBps) / 100} %).`;
    case 'BankruptcyResolved':
      return `Bad debt written off: ${units(f.debtWrittenOff, f.bank)}; insurance paid ${units(f.fromInsurance, f.bank)}, depositors bore ${units(f.socialized, f.bank)}.`;
    case 'DepositForfeited':
      return `Dust deposit forfeited: ${units(f.tokens, f.bank)}.`;
    case 'Deposited':
    case 'Withdrawn':
    case 'Borrowed':
    case 'Repaid':
      return `${entry.name} ${units(f.amount, f.bank)}.`;
    default:
      return entry.name.replace(/([a-z])([A-Z])/g, '$1 $2');
  }
}

export function History({ loaded, entries, error }: { loaded: Loaded; entries: HistoryEntry[] | null; error: string | null }) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {error && <p role="alert" className="bad">{error}</p>}
      {entries === null ? (
        <p className="muted">Select an account.</p>
      ) : entries.length === 0 ? (
        <p className="muted">No events yet.</p>
      ) : (
        <ol className="history">
          {entries.map((entry, index) => (
            <li key={`${entry.signature}-${index}`} data-event={entry.name} className={entry.name === 'Liquidated' || entry.name === 'BankruptcyResolved' ? 'event-alert' : ''}>
              <time>{entry.time !== null ? formatTime(entry.time) : '—'}</time> <strong>{describe(entry, loaded)}</strong>{' '}
              <span className="muted mono" title={entry.signature}>{short(entry.signature)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
