//! Almanach's background work: the worker that empties the e-mail outbox
//! (compose, send, retry with exponential backoff, give up and keep for
//! staff), enqueues the reminders of the day before and each library's
//! weekly digest to its IT department. `almanach serve`
//! runs `Worker::run`; tests call `Worker::tick` or `drain_once` with their
//! own clock and never sleep.

mod account;
pub mod compose;
pub mod digest;
pub mod reminders;
pub mod transport;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use almanach_domain::link::{LinkKey, PublicUrl, token_hash};
use almanach_store::{
    DigestWeek, DueDigest, MailFacts, MailKind, OutboxMessage, Store, StoreError,
};
use jiff::Timestamp;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart};

pub use compose::{Composed, LINK_PLACEHOLDER, compose};
/// The sender's type, so the binary needs no lettre of its own.
pub use lettre::message::Mailbox;
pub use transport::{SendError, Transport};

/// How the worker behaves; `MailSettings::new` gives the defaults.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The sender, e.g. `Médiathèque <agenda@mediatheque.fr>`.
    pub from: Mailbox,
    /// The address the public reaches: links and calendar UIDs start with it.
    pub public_url: PublicUrl,
    pub link_key: LinkKey,
    /// Reminders go the day before at this hour, library time.
    pub reminder_hour: i8,
    /// How long a claimed message is held before another worker may retry it.
    pub lease_secs: i64,
    /// Attempts before a message is given up on (and kept, failed).
    pub max_attempts: i64,
    /// The first retry's delay; each next one doubles, up to `max_backoff_secs`.
    pub backoff_secs: i64,
    pub max_backoff_secs: i64,
    /// How often the loop looks for due messages.
    pub poll: Duration,
    /// Sent and given-up messages are deleted after this many days.
    pub keep_days: i64,
}

impl MailSettings {
    /// `public_url` as `PublicUrl::parse` accepts it (the binary checks it
    /// first); anything else is a mistake of the caller.
    pub fn new(from: Mailbox, public_url: &str, link_key: LinkKey) -> MailSettings {
        MailSettings {
            from,
            public_url: PublicUrl::parse(public_url)
                .unwrap_or_else(|e| panic!("the public address: {e}")),
            link_key,
            reminder_hour: 18,
            lease_secs: 5 * 60,
            max_attempts: 12,
            backoff_secs: 60,
            max_backoff_secs: 6 * 3600,
            poll: Duration::from_secs(5),
            keep_days: 90,
        }
    }

    /// The delay after the `attempts`-th failure: 1 min, 2, 4… up to 6 h
    /// (12 attempts span about a day and a half).
    pub fn backoff(&self, attempts: i64) -> i64 {
        let doublings = attempts.clamp(1, 30) - 1;
        self.backoff_secs
            .saturating_mul(1 << doublings)
            .min(self.max_backoff_secs)
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    /// Failed for now, rescheduled.
    pub retried: usize,
    /// Given up on.
    pub failed: usize,
}

pub struct Worker {
    store: Store,
    transport: Transport,
    settings: MailSettings,
}

impl Worker {
    pub fn new(store: Store, transport: Transport, settings: MailSettings) -> Worker {
        Worker {
            store,
            transport,
            settings,
        }
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// One round as the loop runs it: due reminders and digests, then due
    /// messages.
    pub async fn tick(&self, now: i64) -> Result<Drained, StoreError> {
        self.remind(now).await?;
        self.digests(now).await?;
        self.drain_once(now).await
    }

    /// Runs until `shutdown` completes: due messages every `poll`,
    /// reminders and digests every minute, the purge every hour. Errors (the database
    /// away) are logged and the next round tries again: nothing is lost.
    /// A stop during a round lets the message being sent finish and gives
    /// back the others the round had claimed (`Store::release_claim`).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tracing::info!(mail = %self.transport.describe(), "mail worker started");
        let mut shutdown = std::pin::pin!(shutdown);
        let stopping = AtomicBool::new(false);
        let mut interval = tokio::time::interval(self.settings.poll);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Zero: the first round does both at once (i64::MIN would overflow
        // the subtraction below).
        let (mut reminded, mut purged) = (0_i64, 0_i64);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = &mut shutdown => break,
            }
            let round = self.round(&mut reminded, &mut purged, &stopping);
            let mut round = std::pin::pin!(round);
            tokio::select! {
                _ = &mut round => {}
                _ = &mut shutdown => {
                    stopping.store(true, Ordering::SeqCst);
                    round.await;
                    break;
                }
            }
        }
        tracing::info!("mail worker stopped");
    }

    async fn round(&self, reminded: &mut i64, purged: &mut i64, stopping: &AtomicBool) {
        let now = almanach_store::now();
        if now - *reminded >= 60 {
            *reminded = now;
            if let Err(e) = self.remind(now).await {
                tracing::warn!(error = %e, "reminders failed; trying again");
            }
            if let Err(e) = self.digests(now).await {
                tracing::warn!(error = %e, "IT digests failed; trying again");
            }
        }
        if now - *purged >= 3600 {
            *purged = now;
            if let Err(e) = self
                .store
                .purge_outbox(now - self.settings.keep_days * 24 * 3600)
                .await
            {
                tracing::warn!(error = %e, "outbox purge failed; trying again");
            }
        }
        match self.drain(now, stopping).await {
            Ok(d) if d != Drained::default() => tracing::info!(
                sent = d.sent,
                retried = d.retried,
                failed = d.failed,
                "outbox"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox round failed; trying again"),
        }
    }

    /// Enqueues the reminders due at `now`; returns how many.
    pub async fn remind(&self, now: i64) -> Result<usize, StoreError> {
        let mut n = 0;
        for c in self
            .store
            .reminder_candidates(now, now + 2 * 24 * 3600)
            .await?
        {
            if reminders::is_due(&c, now, self.settings.reminder_hour)
                && self.store.enqueue_reminder(&c).await?
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Enqueues the weekly digests to IT due at `now`, once per library
    /// and week whichever server comes first; returns how many messages.
    /// A week with nothing to tell is recorded and sends nothing.
    pub async fn digests(&self, now: i64) -> Result<usize, StoreError> {
        let mut n = 0;
        for due in self.store.due_digests(now).await? {
            // One library's trouble does not hold the others' back; its
            // week stays unrecorded, so the next round tries it again.
            match self.digest(&due).await {
                Ok(Some(week)) => {
                    tracing::info!(library = due.library_id.get(), week = %due.week, recipients = week.recipients, "IT digest");
                    n += week.recipients as usize;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(library = due.library_id.get(), error = %e, "IT digest failed; trying again")
                }
            }
        }
        Ok(n)
    }

    async fn digest(&self, due: &DueDigest) -> Result<Option<DigestWeek>, StoreError> {
        let content = self.store.it_digest(due.library_id, due.today).await?;
        self.store
            .enqueue_weekly_digest(due, content.is_empty())
            .await
    }

    /// Sends every message due at `now`, once each.
    pub async fn drain_once(&self, now: i64) -> Result<Drained, StoreError> {
        self.drain(now, &AtomicBool::new(false)).await
    }

    /// Sends every message due at `now`, once each, until `stopping`: then
    /// the message being sent finishes and the rest of the claimed batch is
    /// given back at once, not held until the lease lapses.
    pub async fn drain(&self, now: i64, stopping: &AtomicBool) -> Result<Drained, StoreError> {
        let mut d = Drained::default();
        loop {
            if stopping.load(Ordering::SeqCst) {
                return Ok(d);
            }
            let batch = self
                .store
                .claim_due(now, self.settings.lease_secs, 20)
                .await?;
            if batch.is_empty() {
                return Ok(d);
            }
            let mut batch = batch.into_iter();
            while let Some(m) = batch.next() {
                self.deliver(m, now, &mut d).await?;
                if stopping.load(Ordering::SeqCst) {
                    for m in batch.by_ref() {
                        self.store.release_claim(&m).await?;
                    }
                }
            }
        }
    }

    async fn deliver(&self, m: OutboxMessage, now: i64, d: &mut Drained) -> Result<(), StoreError> {
        if m.attempts > self.settings.max_attempts {
            // Claimed again and again by workers that never finished.
            let why = format!(
                "given up after {} attempts; last error: {}",
                m.attempts - 1,
                m.last_error
            );
            self.store.mark_failed(&m, &why, None).await?;
            d.failed += 1;
            return Ok(());
        }
        let (m, link) = match m.kind {
            MailKind::ItDigest => (self.composed_digest(m, now).await?, None),
            MailKind::PasswordReset => match self.composed_reset(m, now).await? {
                Some(ml) => ml,
                None => {
                    d.failed += 1;
                    return Ok(());
                }
            },
            _ => match self.composed(m, now).await? {
                Some(ml) => ml,
                None => {
                    d.failed += 1;
                    return Ok(());
                }
            },
        };
        let outcome = match self.message(&m, link.as_deref()) {
            Ok(email) => {
                self.transport
                    .send(
                        email,
                        &format!("{}-{}-{}", m.created_at, m.id, m.kind.slug()),
                    )
                    .await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                self.store.mark_sent(&m, now).await?;
                d.sent += 1;
            }
            Err(e) if e.permanent || m.attempts >= self.settings.max_attempts => {
                tracing::warn!(message = m.id, kind = m.kind.slug(), error = %e.message, "e-mail given up");
                self.store.mark_failed(&m, &e.message, None).await?;
                d.failed += 1;
            }
            Err(e) => {
                let retry = now + self.settings.backoff(m.attempts);
                tracing::info!(message = m.id, attempt = m.attempts, retry_at = retry, error = %e.message, "e-mail not sent; will retry");
                self.store.mark_failed(&m, &e.message, Some(retry)).await?;
                d.retried += 1;
            }
        }
        Ok(())
    }

    /// A message about a registration, composed at its first attempt, and
    /// the private link to fill in; `None` when the registration is gone
    /// (the message is then given up on).
    async fn composed(
        &self,
        m: OutboxMessage,
        now: i64,
    ) -> Result<Option<(OutboxMessage, Option<String>)>, StoreError> {
        let facts = match self.store.mail_facts(&m).await {
            Ok(f) => f,
            Err(StoreError::NotFound) => {
                self.store
                    .mark_failed(&m, "the registration no longer exists", None)
                    .await?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let link = self.link(&facts);
        if m.composed() {
            return Ok(Some((m, link)));
        }
        let c = compose(
            &m,
            &facts,
            &self.settings.public_url,
            link.is_some(),
            Timestamp::from_second(now).unwrap_or_default(),
        );
        Ok(Some((self.keep(m, c).await?, link)))
    }

    /// The digest, composed at its first attempt from the week as it is
    /// then (seconds after it was enqueued while the worker runs).
    async fn composed_digest(
        &self,
        m: OutboxMessage,
        now: i64,
    ) -> Result<OutboxMessage, StoreError> {
        if m.composed() {
            return Ok(m);
        }
        let library = self.store.library(m.library_id).await?;
        let tz = library.tz();
        let from = m.payload["from"]
            .as_str()
            .and_then(|s| s.parse::<jiff::civil::Date>().ok())
            .unwrap_or_else(|| {
                Timestamp::from_second(now)
                    .unwrap_or_default()
                    .to_zoned(tz.clone())
                    .date()
            });
        let content = self.store.it_digest(m.library_id, from).await?;
        let c = digest::compose_digest(&content, m.lang, &tz, &self.settings.public_url);
        self.keep(m, c).await
    }

    /// A password reset message, composed at its first attempt, and its
    /// link, made now from the account's password hash (so a link sent
    /// after the password changed is for the new one); `None` when the
    /// account is gone or inactive, or the link already expired (the
    /// message is then given up on).
    async fn composed_reset(
        &self,
        m: OutboxMessage,
        now: i64,
    ) -> Result<Option<(OutboxMessage, Option<String>)>, StoreError> {
        let staff = match m.payload["staff_id"].as_i64() {
            Some(id) => self.store.staff_member(id).await?,
            None => None,
        };
        let expires = m.payload["expires_at"].as_i64().unwrap_or(0);
        let Some(staff) = staff.filter(|s| s.active) else {
            self.store
                .mark_failed(&m, "the account no longer exists or is inactive", None)
                .await?;
            return Ok(None);
        };
        if expires <= now {
            self.store
                .mark_failed(&m, "the link expired before it could be sent", None)
                .await?;
            return Ok(None);
        }
        let token = self
            .settings
            .link_key
            .reset_token(staff.id, expires, &staff.password_hash);
        let link = self
            .settings
            .public_url
            .link(&format!("/staff/password-reset/{token}"));
        if m.composed() {
            return Ok(Some((m, Some(link))));
        }
        let library = self.store.library(staff.library_id).await?;
        let minutes = (expires - m.created_at + 59) / 60;
        let c = account::compose_password_reset(
            m.lang,
            &staff.name,
            &staff.email,
            &library.name,
            minutes,
        );
        Ok(Some((self.keep(m, c).await?, Some(link))))
    }

    /// Stores what was composed, so retries send the same message.
    async fn keep(&self, m: OutboxMessage, c: Composed) -> Result<OutboxMessage, StoreError> {
        let m = OutboxMessage {
            subject: c.subject,
            text_body: c.text,
            html_body: c.html,
            ics: c.ics,
            ..m
        };
        self.store.save_composed(&m).await?;
        Ok(m)
    }

    /// The private link, when the registration's token derives from this
    /// server's key (not for registrations made before that, e.g. the demo's).
    fn link(&self, f: &MailFacts) -> Option<String> {
        let token = self.settings.link_key.token(&f.link_seed);
        (token_hash(&token) == f.token_hash)
            .then(|| self.settings.public_url.link(&format!("/r/{token}")))
    }

    /// The MIME message: text and HTML alternatives, and the calendar.
    fn message(&self, m: &OutboxMessage, link: Option<&str>) -> Result<Message, SendError> {
        let bad = |what: &str| SendError {
            permanent: true,
            message: what.to_string(),
        };
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|_| bad("the recipient's address cannot be used"))?;
        let host = self.settings.public_url.host();
        let body = MultiPart::alternative_plain_html(
            compose::with_link(&m.text_body, link, false),
            compose::with_link(&m.html_body, link, true),
        );
        let body = if m.ics.is_empty() {
            body
        } else {
            // The part's method says what the calendar does (RFC 6047).
            let method = m
                .ics
                .lines()
                .find_map(|l| l.strip_prefix("METHOD:"))
                .filter(|v| v.chars().all(|c| c.is_ascii_uppercase()) && !v.is_empty())
                .unwrap_or("PUBLISH");
            let calendar =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .expect("a valid content type");
            MultiPart::mixed()
                .multipart(body)
                .singlepart(Attachment::new("seance.ics".into()).body(m.ics.clone(), calendar))
        };
        Message::builder()
            // The same id on every attempt lets a mail system drop a duplicate.
            .message_id(Some(format!("<outbox.{}.{}@{host}>", m.id, m.created_at)))
            .from(self.settings.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .multipart(body)
            .map_err(|e| bad(&format!("cannot build the message: {e}")))
    }
}
