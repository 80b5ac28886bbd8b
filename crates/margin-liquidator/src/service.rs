//! The bot's loop: take the feed's updates into the book (reconnecting a dropped feed with backoff), refresh
//! the whole group periodically, decide on every price change, and act on each decision once per account and
//! slot, `concurrency` at a time.
use std::collections::HashSet;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use margin_sdk::chain::Chain;
use solana_sdk::pubkey::Pubkey;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::act::{act, Outcome, Wallet};
use crate::book::{Book, Change, Update};
use crate::decide::{decide, Action, Economics, Survey};
use crate::feed::{Discover, Feed};
use crate::metrics::Metrics;

/// The most a reconnect waits after repeated failures.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The bot's settings that shape a pass.
pub struct Settings {
    /// Most one liquidation repays, per debt mint (native units).
    pub inventory: std::collections::BTreeMap<Pubkey, u64>,
    pub fee_quote: u64,
    pub min_profit_quote: u64,
    pub refresh_every: Duration,
    /// How often to refresh while the feed is down (the bot is blind to updates between refreshes).
    pub degraded_refresh_every: Duration,
}

/// What one pass did.
#[derive(Debug, Default)]
pub struct Pass {
    pub survey: Survey,
    pub outcomes: Vec<(Action, Outcome)>,
    /// From the price update that made the pass decide to its first transaction's outcome (None without a
    /// price update or without a send).
    pub first_send_after_price: Option<Duration>,
}

pub struct Service<F> {
    pub settings: Settings,
    pub wallet: Wallet,
    pub book: Book,
    pub metrics: Arc<Metrics>,
    feed: F,
    receiver: Option<UnboundedReceiver<Update>>,
    pending: Vec<Update>,
    backoff: Duration,
    next_connect: Instant,
    last_refresh: Option<Instant>,
    /// When the first price update not yet acted on arrived.
    price_changed_at: Option<Instant>,
    /// (account, slot) pairs already sent: never twice in one slot.
    sent: HashSet<(Pubkey, u64)>,
}

impl<F: Feed> Service<F> {
    pub fn new(settings: Settings, wallet: Wallet, feed: F, metrics: Arc<Metrics>) -> Service<F> {
        let book = Book::new(wallet.group);
        Service {
            settings,
            wallet,
            book,
            metrics,
            feed,
            receiver: None,
            pending: Vec::new(),
            backoff: Duration::from_millis(100),
            next_connect: Instant::now(),
            last_refresh: None,
            price_changed_at: None,
            sent: HashSet::new(),
        }
    }

    /// Waits up to `timeout` for the next update (kept for the next pass); notices a dropped feed.
    pub async fn wait(&mut self, timeout: Duration) {
        let Some(receiver) = self.receiver.as_mut() else {
            tokio::time::sleep(timeout.min(self.next_connect.saturating_duration_since(Instant::now()))).await;
            return;
        };
        match tokio::time::timeout(timeout, receiver.recv()).await {
            Ok(Some(update)) => self.pending.push(update),
            Ok(None) => self.receiver = None,
            Err(_) => {}
        }
    }

    /// One pass: reconnect the feed if it dropped, take its updates, refresh if due, decide, act.
    pub async fn drive_once<C: Chain>(&mut self, chains: &mut [C], discover: &mut impl Discover<C>) -> Pass {
        self.reconnect_if_dropped().await;
        let mut dirty = self.take_updates();
        let every = match self.receiver {
            Some(_) => self.settings.refresh_every,
            None => self.settings.degraded_refresh_every.min(self.settings.refresh_every),
        };
        let refresh_due = self.last_refresh.is_none_or(|last| last.elapsed() >= every);
        if refresh_due {
            match discover.snapshot(&mut chains[0]).await {
                Ok(snapshot) => {
                    self.metrics.accounts_tracked.store(self.book.replace(snapshot) as u64, Relaxed);
                    self.metrics.full_refreshes.fetch_add(1, Relaxed);
                    self.metrics.last_refresh_unix.store(unix_now(), Relaxed);
                    self.last_refresh = Some(Instant::now());
                    dirty = true;
                }
                Err(_) => {
                    self.metrics.rpc_errors.fetch_add(1, Relaxed);
                }
            }
        }
        if !dirty {
            return Pass::default();
        }
        self.act_on_book(chains).await
    }

    /// Reopens a dropped (or never opened) feed once its backoff has passed; doubles the backoff on failure.
    async fn reconnect_if_dropped(&mut self) {
        if self.receiver.is_some() || Instant::now() < self.next_connect {
            return;
        }
        let prices: Vec<Pubkey> =
            self.book.snapshot.banks.values().flat_map(margin_sdk::snapshot::price_accounts_of).collect();
        let reconnect = self.metrics.full_refreshes.load(Relaxed) > 0;
        if reconnect {
            self.metrics.subscription_reconnects.fetch_add(1, Relaxed);
        }
        match self.feed.connect(&prices).await {
            Ok(receiver) => {
                self.receiver = Some(receiver);
                self.backoff = Duration::from_millis(100);
                // Updates sent while the feed was down are lost: refresh everything now.
                if reconnect {
                    self.last_refresh = None;
                }
            }
            Err(error) => {
                tracing::warn!(%error, backoff_ms = self.backoff.as_millis() as u64, "feed connect failed");
                self.next_connect = Instant::now() + self.backoff;
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
            }
        }
    }

    /// Applies every update waiting; whether any changed the book. A closed channel drops the feed.
    fn take_updates(&mut self) -> bool {
        let mut updates = std::mem::take(&mut self.pending);
        if let Some(receiver) = self.receiver.as_mut() {
            loop {
                match receiver.try_recv() {
                    Ok(update) => updates.push(update),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        self.receiver = None;
                        break;
                    }
                }
            }
        }
        let mut dirty = false;
        for update in &updates {
            match self.book.apply(update) {
                Change::Price => {
                    self.price_changed_at.get_or_insert_with(Instant::now);
                    dirty = true;
                }
                Change::Ignored => {}
                _ => dirty = true,
            }
        }
        dirty
    }

    /// Decides on the book at the chain's clock and acts on each decision not yet sent this slot.
    async fn act_on_book<C: Chain>(&mut self, chains: &mut [C]) -> Pass {
        let clock = (chains[0].unix_timestamp().await, chains[0].slot().await);
        let (Ok(now), Ok(slot)) = clock else {
            self.metrics.rpc_errors.fetch_add(1, Relaxed);
            return Pass::default();
        };
        self.book.snapshot.now = now;
        let inventory = self.settings.inventory.clone();
        let repay_limit = move |mint: &Pubkey| inventory.get(mint).copied().unwrap_or(0);
        let economics = Economics {
            repay_limit: &repay_limit,
            fee_quote: self.settings.fee_quote,
            min_profit_quote: self.settings.min_profit_quote,
        };
        let (actions, survey) = decide(&self.book.snapshot, &economics);
        self.metrics.survey(&survey);
        let fresh: Vec<Action> =
            actions.into_iter().filter(|action| self.sent.insert((action.account(), slot))).collect();
        let started = self.price_changed_at.take();
        let (mut outcomes, mut first_send_after_price) = (Vec::new(), None);
        for batch in fresh.chunks(chains.len()) {
            let attempts =
                batch.iter().zip(chains.iter_mut()).map(|(action, chain)| act(chain, &self.wallet, action, &economics));
            for (action, outcome) in batch.iter().zip(futures::future::join_all(attempts).await) {
                let liquidation = matches!(action, Action::Liquidate { .. });
                self.metrics.outcome(&outcome, liquidation);
                if let (Some(started), Outcome::Landed { .. } | Outcome::Failed(_)) = (started, &outcome) {
                    self.metrics.price_to_send(started.elapsed());
                    first_send_after_price.get_or_insert(started.elapsed());
                }
                tracing::info!(account = %action.account(), ?outcome, "attempt");
                outcomes.push((*action, outcome));
            }
        }
        self.sent.retain(|(_, sent_slot)| *sent_slot + 150 >= slot);
        self.refresh_acted(&mut chains[0], &outcomes).await;
        Pass { survey, outcomes, first_send_after_price }
    }

    /// Reads back the accounts just acted on (and their banks), so the next pass judges them as they are.
    async fn refresh_acted<C: Chain>(&mut self, chain: &mut C, outcomes: &[(Action, Outcome)]) {
        for (action, _) in outcomes {
            let account = action.account();
            let Ok(Some(state)) = chain.account(&account).await else { continue };
            let update = Update { address: account, owner: state.owner, data: state.data };
            let banks: Vec<Pubkey> = margin_sdk::accounts::margin_account(&update.data)
                .map(|state| state.used_positions().map(|position| position.bank).collect())
                .unwrap_or_default();
            self.book.apply(&update);
            for bank in banks {
                if let Ok(Some(state)) = chain.account(&bank).await {
                    self.book.apply(&Update { address: bank, owner: state.owner, data: state.data });
                }
            }
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// Runs `service` until `shutdown` changes: waits for updates (at most 200 ms), then passes over the book.
pub async fn run<C: Chain, F: Feed>(
    service: &mut Service<F>,
    chains: &mut [C],
    discover: &mut impl Discover<C>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = service.wait(Duration::from_millis(200)) => {}
        }
        service.drive_once(chains, discover).await;
    }
}
