// Markets: every bank of the group with its price ± confidence, the haircuts that confidence makes now, rates,
// utilization, caps and status; then the group's pending governance changes with their eta.
import type { BankRow, Loaded, ProposalRow } from '../chain';
import { formatBps, formatCompact, formatDuration, formatTime, formatUsd, short } from '../format';
import { TOKEN_2022_PROGRAM_ADDRESS } from '@margin/client';

function PriceCell({ row }: { row: BankRow }) {
  const price = row.market.price;
  if ('error' in price) return <td className="bad">{price.error}</td>;
  return (
    <td>
      <span className="price">{formatUsd(price.price)}</span> ± {formatUsd(price.conf, 3)}
      <div className="muted">{price.ageSeconds} s old</div>
    </td>
  );
}

function HaircutCell({ row }: { row: BankRow }) {
  const price = row.market.price;
  if ('error' in price) return <td>—</td>;
  if ('unusable' in price.derived) return <td className="bad" role="note">{price.derived.unusable}</td>;
  const cut = price.derived.haircutBps;
  return (
    <td>
      <div>assets {formatBps(cut.initAsset)} / {formatBps(cut.maintAsset)}</div>
      <div>debts +{formatBps(cut.initLiability)} / +{formatBps(cut.maintLiability)}</div>
      {price.dynamicExtraBps > 0 && <div className="warn" data-dynamic>Init −{formatBps(price.dynamicExtraBps)} more while the market moves</div>}
      {price.onFallback && <div className="warn" data-fallback>priced by the fallback feed (Pyth stale): nothing opens</div>}
      {!price.onFallback && !price.derived.usableToOpen && <div className="warn">too uncertain to open</div>}
    </td>
  );
}

function status(row: BankRow, now: bigint) {
  const market = row.market;
  if (market.status === 'Paused') return `paused until ${formatTime(market.pausedUntil ?? now)}`;
  return market.status === 'ReduceOnly' ? 'reduce-only' : 'active';
}

export function Markets({ loaded }: { loaded: Loaded }) {
  const { banks, now } = loaded;
  return (
    <section aria-labelledby="markets-title">
      <h2 id="markets-title">Markets</h2>
      <div className="scroll">
        <table>
          <caption>Every bank of the group; haircuts are Init / Maint, in % of the oracle price, from the confidence now.</caption>
          <thead>
            <tr>
              <th scope="col">Token</th><th scope="col">Price ± confidence</th><th scope="col">Haircuts now</th>
              <th scope="col">Weights (init / maint)</th><th scope="col">Deposit APR</th><th scope="col">Borrow APR</th>
              <th scope="col">Utilization</th><th scope="col">Deposits</th><th scope="col">Borrows</th><th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {banks.map((row) => {
              const m = row.market;
              const units = (value: string) => formatCompact(BigInt(value), m.decimals);
              return (
                <tr key={row.address} data-bank={row.symbol}>
                  <th scope="row" title={`bank ${row.address}, mint ${m.mint}`}>
                    {row.symbol}
                    {m.tokenProgram === TOKEN_2022_PROGRAM_ADDRESS && <span className="badge">Token-2022</span>}
                    {m.isolatedOnly && <span className="badge">isolated only</span>}
                  </th>
                  <PriceCell row={row} />
                  <HaircutCell row={row} />
                  <td>
                    <div>asset {formatBps(m.weights.initAsset)} / {formatBps(m.weights.maintAsset)}</div>
                    <div>debt {formatBps(m.weights.initLiability)} / {formatBps(m.weights.maintLiability)}</div>
                    {m.size && <div className="muted" data-size>Init beyond {formatUsd(m.size.depthUsd)} a position: ∓{formatBps(m.size.excessHaircutBps)}</div>}
                    {m.fallback && <div className="muted" data-fallback-feed>fallback feed {short(m.fallback.priceAccount)} (within {formatBps(m.fallback.maxDivergenceBps)})</div>}
                  </td>
                  <td>{formatBps(m.depositRateBps)}</td>
                  <td>{formatBps(m.borrowRateBps)}</td>
                  <td>{formatBps(m.utilizationBps)} <span className="muted">(max {formatBps(m.maxUtilizationBps)})</span></td>
                  <td>{units(m.deposits)}<div className="muted">cap {units(m.depositCap)}</div></td>
                  <td>{units(m.borrows)}<div className="muted">cap {units(m.borrowCap)}</div></td>
                  <td data-status={m.status}>{status(row, now)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Proposals loaded={loaded} />
    </section>
  );
}

/** The fields of a bank change that differ from the parameters it was proposed against. */

/** What a proposal changes, in a few words. */
function proposalSubject(action: ProposalRow['proposal']['action'], symbol: (bank: string) => string): string {
  switch (action.__kind) {
    case 'ChangeBank':
      return `bank ${symbol(action.bank)}`;
    case 'ListBank':
      return `list mint ${short(action.mint)}`;
    case 'SetFallbackOracle':
      return action.fallback.priceAccount === '11111111111111111111111111111111'
        ? `remove ${symbol(action.bank)}'s fallback price`
        : `${symbol(action.bank)} fallback price ${short(action.fallback.priceAccount)} (within ${formatBps(action.fallback.maxDivergenceBps)})`;
    default:
      return 'group settings';
  }
}

function changes(proposal: ProposalRow['proposal']): string[] {
  const action = proposal.action;
  if (action.__kind !== 'ChangeBank') return [];
  const flatten = (value: unknown, prefix = ''): [string, string][] =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key))
      : [[prefix, Array.isArray(value) ? value.join('/') : String(value)]];
  const before = new Map(flatten(action.base));
  return flatten(action.params)
    .filter(([key, value]) => before.get(key) !== value)
    .map(([key, value]) => `${key}: ${before.get(key)} → ${value}`);
}

function Proposals({ loaded }: { loaded: Loaded }) {
  const { proposals, banks, now } = loaded;
  const symbol = (bank: string) => banks.find((row) => row.address === bank)?.symbol ?? short(bank);
  return (
    <>
      <h3>Pending governance changes</h3>
      {proposals.length === 0 ? (
        <p className="muted">None: every parameter shown is in force.</p>
      ) : (
        <div className="scroll">
          <table>
            <thead>
              <tr><th scope="col">#</th><th scope="col">Change</th><th scope="col">What changes</th><th scope="col">Executable from</th><th scope="col">Expires</th></tr>
            </thead>
            <tbody>
              {proposals.map(({ address, proposal }) => {
                const action = proposal.action;
                const what = proposalSubject(action, symbol);
                const wait = proposal.eta - now;
                return (
                  <tr key={address} data-proposal={proposal.id.toString()}>
                    <td>{proposal.id.toString()}</td>
                    <td>{what}</td>
                    <td>{changes(proposal).join('; ') || '—'}</td>
                    <td>{formatTime(proposal.eta)} {wait > 0n ? <span className="muted">(in {formatDuration(wait)})</span> : <span className="warn">(executable now)</span>}</td>
                    <td>{formatTime(proposal.expiresAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
