// Amounts as people read and type them, exactly: native units (bigint) ↔ decimal text in whole tokens, quote
// units (10^-6 USD) as dollars, bps as percent. No floating point touches an amount.

const group3 = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `amount` native units of a token with `decimals`, in whole tokens, trailing zeros trimmed (`1,234.5`). */
export function formatUnits(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${group3(whole)}${fraction ? `.${fraction}` : ''}`;
}

/** What a typed amount could not be. */
export class AmountError extends Error {}

/** Typed text in whole tokens → native units, exactly. Refuses what is not a plain positive decimal, and more
 * fraction digits than the token has (they would be lost). */
export function parseUnits(text: string, decimals: number, symbol: string): bigint {
  const cleaned = text.trim().replace(/,/g, '');
  if (cleaned === '') throw new AmountError('Enter an amount.');
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) throw new AmountError(`"${text}" is not an amount.`);
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) throw new AmountError(`${symbol} has ${decimals} decimals: "${text}" has ${fraction.length}.`);
  const native = BigInt((match[1] || '0') + fraction.padEnd(decimals, '0'));
  if (native === 0n) throw new AmountError('The amount must be above 0.');
  if (native > 18446744073709551615n) throw new AmountError('The amount is beyond what a token account can hold.');
  return native;
}

/** Quote units (10^-6 USD, decimal string or bigint, signed) as dollars with cents (`-$1,234.57`), rounded
 * toward zero. */
export function formatQuote(value: string | bigint): string {
  const units = BigInt(value);
  const negative = units < 0n;
  const cents = (negative ? -units : units) / 10_000n;
  const whole = (cents / 100n).toString();
  const rest = (cents % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}$${group3(whole)}.${rest}`;
}

/** A USD price given as an exact decimal string, to `significant` significant digits for display. */
export function formatUsd(text: string, significant = 6): string {
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  const sign = text.startsWith('-') ? '-' : '';
  if (whole !== '0' && whole !== '') {
    const places = Math.max(0, significant - whole.length);
    const shown = fraction.slice(0, places).replace(/0+$/, '');
    return `${sign}$${group3(whole)}${shown ? `.${shown}` : ''}`;
  }
  const lead = fraction.match(/^0*/)?.[0].length ?? 0;
  const shown = fraction.slice(0, lead + significant).replace(/0+$/, '');
  return `${sign}$0${shown ? `.${shown}` : ''}`;
}

/** Basis points as percent (`12.34 %`). */
export function formatBps(bps: number | bigint): string {
  const value = BigInt(bps);
  const sign = value < 0n ? '-' : '';
  const absolute = value < 0n ? -value : value;
  return `${sign}${absolute / 100n}.${(absolute % 100n).toString().padStart(2, '0')} %`;
}

/** Unix seconds as local date and time. */
export function formatTime(unixSeconds: bigint | number | string): string {
  return new Date(Number(unixSeconds) * 1000).toLocaleString();
}

/** An address shortened for a table (`4kFw…MvT`); the full address goes in a title. */
export function short(address: string): string {
  return address.length > 10 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}

/** Native units in whole tokens, compact for large figures (`4.61 B`, `1.2 M`), rounded down; exact below 10,000. */
export function formatCompact(amount: bigint, decimals: number): string {
  const whole = amount / 10n ** BigInt(decimals);
  if (whole < 10_000n) return formatUnits(amount, decimals);
  const units: [bigint, string][] = [[10n ** 12n, 'T'], [10n ** 9n, 'B'], [10n ** 6n, 'M'], [10n ** 3n, 'K']];
  const [size, suffix] = units.find(([value]) => whole >= value)!;
  const hundredths = (whole * 100n) / size;
  const fraction = (hundredths % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${group3((hundredths / 100n).toString())}${fraction ? `.${fraction}` : ''} ${suffix}`;
}

/** A span of seconds in its largest unit and the next one when not 0 (`1 d 23 h`, `5 min 2 s`, `1 h`, `45 s`),
 * rounded down. */
export function formatDuration(seconds: bigint | number): string {
  const total = BigInt(seconds) < 0n ? 0n : BigInt(seconds);
  const units: [bigint, string][] = [[86_400n, 'd'], [3_600n, 'h'], [60n, 'min'], [1n, 's']];
  const first = units.findIndex(([size]) => total >= size);
  if (first === -1) return '0 s';
  const [size, unit] = units[first];
  const next = units[first + 1];
  const rest = next ? (total % size) / next[0] : 0n;
  return rest > 0n ? `${total / size} ${unit} ${rest} ${next[1]}` : `${total / size} ${unit}`;
}
