// An account's positions: amount, oracle price and value, the weight and confidence haircut that apply, each
// one's Init and Maint contribution, and for a collateral the price at which the account becomes liquidatable.
import type { Loaded } from '../chain';
import { formatBps, formatQuote, formatUnits, formatUsd } from '../format';

type PositionJson = {
  bank: string; decimals: number; deposit: string; borrow: string; value: string | null;
  usd: null | { oracle: string; haircutBps: { initAsset: number; maintAsset: number; initLiability: number; maintLiability: number } };
  prices: { unusable?: string };
  weights: { initAsset: number; maintAsset: number; initLiability: number; maintLiability: number };
  init: { health?: string; error?: string }; maint: { health?: string; error?: string };
};

export function positionsOf(loaded: Loaded, account: string): PositionJson[] {
  return JSON.parse(loaded.snapshot.positions(account)) as PositionJson[];
}

export function Positions({ loaded, account }: { loaded: Loaded; account: string }) {
  const positions = positionsOf(loaded, account);
  const symbol = (bank: string) => loaded.banks.find((row) => row.address === bank)?.symbol ?? bank;
  if (positions.length === 0) return <p className="muted">No positions yet: deposit collateral below.</p>;
  return (
    <div className="scroll">
      <table>
        <caption>Positions, valued by the program's code now (haircut and weight: Init / Maint).</caption>
        <thead>
          <tr>
            <th scope="col">Token</th><th scope="col">Amount</th><th scope="col">Price</th><th scope="col">Value</th>
            <th scope="col">Weight</th><th scope="col">Haircut</th><th scope="col">Init</th><th scope="col">Maint</th><th scope="col">Liquidation price</th>
          </tr>
        </thead>
        <tbody>
          {positions.map((position) => {
            const isDebt = BigInt(position.borrow) > 0n;
            const amount = isDebt ? `-${formatUnits(BigInt(position.borrow), position.decimals)}` : formatUnits(BigInt(position.deposit), position.decimals);
            const w = position.weights;
            const cut = position.usd?.haircutBps;
            let liquidation = '—';
            if (!isDebt && !position.usd) liquidation = 'unknown: price unusable';
            else if (!isDebt) {
              try {
                const price = loaded.snapshot.liquidationPrice(account, position.bank);
                liquidation = price ? formatUsd(price) : 'none';
              } catch (error) {
                liquidation = String(error);
              }
            }
            const contribution = (value: { health?: string; error?: string }) => (value.health !== undefined ? formatQuote(value.health) : value.error ?? '');
            return (
              <tr key={position.bank} data-position={symbol(position.bank)}>
                <th scope="row">{symbol(position.bank)}</th>
                <td>{amount}</td>
                <td>{position.usd ? formatUsd(position.usd.oracle) : <span className="bad">{position.prices.unusable}</span>}</td>
                <td>{position.value !== null ? formatQuote(position.value) : '—'}</td>
                <td>{isDebt ? `${formatBps(w.initLiability)} / ${formatBps(w.maintLiability)}` : `${formatBps(w.initAsset)} / ${formatBps(w.maintAsset)}`}</td>
                <td>{cut ? (isDebt ? `+${formatBps(cut.initLiability)} / +${formatBps(cut.maintLiability)}` : `${formatBps(cut.initAsset)} / ${formatBps(cut.maintAsset)}`) : '—'}</td>
                <td>{contribution(position.init)}</td>
                <td>{contribution(position.maint)}</td>
                <td data-liquidation-price>{liquidation}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
