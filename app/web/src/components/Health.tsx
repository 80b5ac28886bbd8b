// Init, LiqEnd and Maint health as bars, by the program's own code (WASM). The account's state colours them:
// green when Init ≥ 0 (it may add risk), amber when Init < 0 but it is not liquidatable, red when a liquidator
// may act (Maint < 0, or flagged and LiqEnd < 0).
import type { MarginSnapshot } from '../wasm';
import { formatQuote } from '../format';

type HealthJson = { assets: string; liabilities: string; health: string };

export type AccountHealth = { state: 'healthy' | 'at-risk' | 'liquidatable' | 'unknown'; types: [string, HealthJson | string][]; reason?: string };

const LABELS: [string, string, string][] = [
  ['Init', 'Init', 'must stay ≥ 0 after every withdraw and borrow'],
  ['LiqEnd', 'LiqEnd', 'where a liquidation stops'],
  ['Maint', 'Maint', 'below 0 the account can be liquidated'],
];

/** The account's health now, or why it cannot be computed (a stale price, …). */
export function accountHealth(snapshot: MarginSnapshot, account: string): AccountHealth {
  const types = LABELS.map(([name]): [string, HealthJson | string] => {
    try {
      return [name, JSON.parse(snapshot.health(account, name)) as HealthJson];
    } catch (error) {
      return [name, String(error)];
    }
  });
  try {
    if (snapshot.isLiquidatable(account)) return { state: 'liquidatable', types };
  } catch (error) {
    return { state: 'unknown', types, reason: String(error) };
  }
  const init = types[0][1];
  return { state: typeof init === 'string' || BigInt(init.health) < 0n ? 'at-risk' : 'healthy', types };
}

const STATE_TEXT = { healthy: 'Healthy', 'at-risk': 'Cannot add risk (Init below 0)', liquidatable: 'Liquidatable', unknown: 'Health unknown' };

export function HealthBars({ health }: { health: AccountHealth }) {
  return (
    <section aria-labelledby="health-title" className={`health ${health.state}`} data-health={health.state}>
      <h3 id="health-title">
        Health: <span className="state">{STATE_TEXT[health.state]}</span>
      </h3>
      {health.reason && <p role="alert" className="bad">{health.reason}</p>}
      {health.types.map(([name, value], index) => {
        const [, label, help] = LABELS[index];
        if (typeof value === 'string') {
          return <p key={name} className="bad">{label}: not computable now: {value}</p>;
        }
        const assets = BigInt(value.assets);
        const liabilities = BigInt(value.liabilities);
        // How much of the weighted assets the weighted debts use, 0–100 %.
        const used = assets === 0n ? (liabilities > 0n ? 100 : 0) : Number((liabilities * 1000n) / assets) / 10;
        return (
          <div key={name} className="bar-row">
            <span className="bar-label" id={`bar-${name}`}>{label}</span>
            <div className="bar" role="meter" aria-labelledby={`bar-${name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(used, 100)} aria-valuetext={`${formatQuote(value.health)}, debts use ${used.toFixed(1)} % of weighted assets`} title={help}>
              <div className={`fill${BigInt(value.health) < 0n ? ' negative' : ''}`} style={{ width: `${Math.min(used, 100)}%` }} />
            </div>
            <span className={BigInt(value.health) < 0n ? 'bad' : ''} data-health-value={name}>{formatQuote(value.health)}</span>
          </div>
        );
      })}
    </section>
  );
}
