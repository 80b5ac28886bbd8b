// Where the app points, read from the URL only: `?cluster=localnet|devnet|mainnet` (or `?rpc=<url>` for any
// other endpoint) and `?group=<address>`. Nothing else is built in: the group, its banks, price accounts and
// mints are all read from the chain.

/** A cluster the app can talk to: its JSON-RPC endpoint and its Wallet Standard chain id. */
export type Cluster = { name: string; rpcUrl: string; chain: `solana:${string}` };

/** The public endpoints of each cluster's name (a `?rpc=` overrides the endpoint). */
const CLUSTERS: Record<string, Omit<Cluster, 'rpcUrl'> & { defaultRpc: string }> = {
  localnet: { name: 'localnet', chain: 'solana:localnet', defaultRpc: 'http://127.0.0.1:8899' },
  devnet: { name: 'devnet', chain: 'solana:devnet', defaultRpc: 'https://api.devnet.solana.com' },
  mainnet: { name: 'mainnet', chain: 'solana:mainnet', defaultRpc: 'https://api.mainnet-beta.solana.com' },
};

export type Config = { cluster: Cluster; group: string | null; problems: string[] };

/** The configuration in `search` (`location.search`); unknown or malformed values are reported, not guessed. */
export function readConfig(search: string): Config {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const name = params.get('cluster') ?? 'localnet';
  const known = CLUSTERS[name];
  if (!known) problems.push(`Unknown cluster "${name}": localnet, devnet or mainnet (or ?rpc=<url>).`);
  const base = known ?? CLUSTERS.localnet;
  let rpcUrl = params.get('rpc') ?? base.defaultRpc;
  try {
    const parsed = new URL(rpcUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    problems.push(`The RPC address "${rpcUrl}" is not an http(s) URL.`);
    rpcUrl = base.defaultRpc;
  }
  let group = params.get('group');
  if (group !== null && !/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(group)) {
    problems.push(`The group "${group}" is not a base58 address.`);
    group = null;
  }
  return { cluster: { name: base.name, chain: base.chain, rpcUrl }, group, problems };
}

/** The URL of the same app with `changes` to its query. */
export function withQuery(search: string, changes: Record<string, string | null>): string {
  const params = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) params.delete(key);
    else params.set(key, value);
  }
  return `?${params.toString()}`;
}
