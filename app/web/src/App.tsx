// The app: cluster and group from the URL, a Wallet Standard wallet, and three pages (markets, account,
// history) over data refreshed from the chain every few seconds.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type Address, createSolanaRpc } from '@solana/kit';
import type { Wallet } from '@wallet-standard/base';
import { type HistoryEntry, type Loaded, RpcUnavailable, listGroups, loadGroup, loadHistory } from './chain';
import { readConfig, withQuery } from './config';
import { short } from './format';
import { loadWasm } from './wasm';
import { type Connected, connect, disconnect, onWalletsChanged, solanaWallets } from './wallet';
import { Markets } from './components/Markets';
import { AccountPage } from './components/AccountPage';
import { History } from './components/History';

type Page = 'markets' | 'account' | 'history';
const PAGES: [Page, string][] = [['markets', 'Markets'], ['account', 'Account'], ['history', 'History']];
const pageOf = (hash: string): Page => (PAGES.find(([page]) => `#${page}` === hash)?.[0] ?? 'markets');
/** How often the page reads the chain again, ms. */
const REFRESH_MS = 2_000;

const message = (error: unknown, url: string) =>
  error instanceof RpcUnavailable ? error.message : error instanceof TypeError ? new RpcUnavailable(url, error).message : error instanceof Error ? error.message : String(error);

export function App() {
  const config = useMemo(() => readConfig(window.location.search), []);
  const rpc = useMemo(() => createSolanaRpc(config.cluster.rpcUrl), [config]);
  const [page, setPage] = useState<Page>(pageOf(window.location.hash));
  const [wallets, setWallets] = useState<Wallet[]>(solanaWallets());
  const [connected, setConnected] = useState<Connected | null>(null);
  const [walletError, setWalletError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [groups, setGroups] = useState<{ address: Address; admin: string }[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const seen = useRef(new Map<string, HistoryEntry[]>());
  const refresh = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => onWalletsChanged(() => setWallets(solanaWallets())), []);
  useEffect(() => {
    const onHash = () => setPage(pageOf(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  // The previous snapshot's WebAssembly memory is freed once a newer one is shown.
  useEffect(() => () => loaded?.snapshot.free(), [loaded]);

  const owner = connected?.account.address ?? null;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        await loadWasm();
        if (!config.group) {
          const found = await listGroups(rpc);
          if (!stopped) setGroups(found.map(({ address, group }) => ({ address, admin: group.admin })));
        } else {
          const next = await loadGroup(rpc, config.group as Address, owner as Address | null);
          if (stopped) next.snapshot.free();
          else setLoaded(next);
        }
        if (!stopped) setLoadError(null);
      } catch (error) {
        if (!stopped) setLoadError(message(error, config.cluster.rpcUrl));
      }
      if (!stopped) timer = setTimeout(tick, REFRESH_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [rpc, config, owner, generation]);

  const account = loaded?.accounts.find((row) => row.address === selected)?.address ?? loaded?.accounts[0]?.address ?? null;
  useEffect(() => {
    if (!account || page !== 'history') return;
    let stopped = false;
    loadHistory(rpc, account as Address, seen.current)
      .then((entries) => !stopped && (setHistory(entries), setHistoryError(null)))
      .catch((error) => !stopped && setHistoryError(message(error, config.cluster.rpcUrl)));
    return () => {
      stopped = true;
    };
  }, [rpc, account, page, loaded, config]);

  const onConnect = async (wallet: Wallet) => {
    setWalletError(null);
    try {
      setConnected(await connect(wallet, config.cluster.chain));
    } catch (error) {
      setWalletError(error instanceof Error ? error.message : String(error));
    }
  };
  const onDisconnect = async () => {
    if (connected) await disconnect(connected).catch(() => undefined);
    setConnected(null);
    setSelected(null);
  };

  return (
    <>
      <header>
        <h1>Margin</h1>
        <p className="muted">
          {config.cluster.name} · <span className="mono">{config.cluster.rpcUrl}</span>
          {config.group && <> · group <span className="mono" title={config.group}>{short(config.group)}</span></>}
        </p>
        <div className="wallet" aria-label="Wallet">
          {connected ? (
            <>
              <span data-connected={connected.account.address}>{connected.wallet.name}: <span className="mono">{short(connected.account.address)}</span></span>
              <button type="button" className="secondary" onClick={() => void onDisconnect()}>Disconnect</button>
            </>
          ) : wallets.length === 0 ? (
            <span className="muted">No Solana wallet found: install Phantom, Solflare or Backpack.</span>
          ) : (
            wallets.map((wallet) => (
              <button key={wallet.name} type="button" onClick={() => void onConnect(wallet)}>
                Connect {wallet.name}
              </button>
            ))
          )}
        </div>
        <nav aria-label="Pages" className="pages">
          {PAGES.map(([name, label]) => (
            <a key={name} href={`#${name}`} aria-current={page === name ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
      </header>
      <main>
        {config.problems.map((problem) => <p key={problem} role="alert" className="bad">{problem}</p>)}
        {walletError && <p role="alert" className="bad">{walletError}</p>}
        {loadError && <p role="alert" className="bad" data-load-error>{loadError} Showing the last data read; retrying every {REFRESH_MS / 1000} s.</p>}
        {!config.group ? (
          <section aria-labelledby="groups-title">
            <h2 id="groups-title">Pick a group</h2>
            {groups === null ? <p>Reading the program's groups…</p> : groups.length === 0 ? <p>No Margin group on this cluster.</p> : (
              <ul>{groups.map((group) => <li key={group.address}><a href={withQuery(window.location.search, { group: group.address })}>{group.address}</a> <span className="muted">(admin {short(group.admin)})</span></li>)}</ul>
            )}
          </section>
        ) : !loaded ? (
          <p>{loadError ? '' : 'Reading the group…'}</p>
        ) : page === 'markets' ? (
          <Markets loaded={loaded} />
        ) : page === 'account' ? (
          <AccountPage loaded={loaded} connected={connected} rpc={rpc} rpcUrl={config.cluster.rpcUrl} selected={account} onSelect={setSelected} onDone={refresh} />
        ) : (
          <History loaded={loaded} entries={connected ? history : null} error={historyError} />
        )}
      </main>
    </>
  );
}
