// A bank's name for people: the asset of its pinned Pyth feed (feed ids are the same on every cluster), or
// the mint's short address when the feed is not one of these.
import { short } from './format';

const FEEDS: Record<string, string> = {
  ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d: 'SOL',
  eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a: 'USDC',
  '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b': 'USDT',
  e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43: 'BTC',
  ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace: 'ETH',
};

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** The symbol of a bank pinned to `feedId`, else its mint shortened. */
export function symbolOf(feedId: Uint8Array, mint: string): string {
  return FEEDS[hex(feedId)] ?? short(mint);
}
