//! The asynchronous [`KeyProvider`] trait and a per-KID cache in front of any provider.
//! [`ContentKey`] itself is a leaf type of `base`, re-exported here.

use super::DecryptError;
pub use crate::base::ContentKey;
use crate::base::Uuid;
use futures_util::FutureExt;
use futures_util::future::Shared;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

/// The future a [`KeyProvider`] returns.
pub type KeyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ContentKey, DecryptError>> + Send + 'a>>;

/// Gives the content key for a KID, possibly after network I/O (license servers).
///
/// Implementations answer `KeyUnavailable { kid }` when they have no key for `kid`, and must
/// not block the calling thread for long: the pipeline polls them from its async runtime.
pub trait KeyProvider: Send + Sync {
    /// The content key for `kid` (a canonical big-endian UUID, as in `tenc`/`senc`).
    fn key(&self, kid: Uuid) -> KeyFuture<'_>;
}

impl<T: KeyProvider + ?Sized> KeyProvider for Arc<T> {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        (**self).key(kid)
    }
}

impl<T: KeyProvider + ?Sized> KeyProvider for Box<T> {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        (**self).key(kid)
    }
}

type SharedKey = Shared<KeyFuture<'static>>;

enum Slot {
    Ready(ContentKey),
    Pending(SharedKey),
}

/// Caches keys per KID in front of another provider.
///
/// Concurrent requests for the same KID share one request to the inner provider. Failures are
/// not cached, so a later request tries again (a license server may come back).
pub struct KeyCache {
    inner: Arc<dyn KeyProvider>,
    slots: Mutex<HashMap<Uuid, Slot>>,
}

impl KeyCache {
    /// A cache in front of `inner`.
    pub fn new(inner: Arc<dyn KeyProvider>) -> KeyCache {
        KeyCache {
            inner,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a key for `kid` is cached.
    pub fn contains(&self, kid: Uuid) -> bool {
        matches!(self.slots().get(&kid), Some(Slot::Ready(_)))
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<Uuid, Slot>> {
        // A panic elsewhere while holding the lock leaves the map consistent: use it anyway.
        crate::base::locked(&self.slots)
    }

    fn pending(&self, kid: Uuid) -> Result<SharedKey, ContentKey> {
        let mut slots = self.slots();
        match slots.get(&kid) {
            Some(Slot::Ready(key)) => Err(key.clone()),
            Some(Slot::Pending(fut)) => Ok(fut.clone()),
            None => {
                let inner = Arc::clone(&self.inner);
                let fut: KeyFuture<'static> = Box::pin(async move { inner.key(kid).await });
                let shared = fut.shared();
                slots.insert(kid, Slot::Pending(shared.clone()));
                Ok(shared)
            }
        }
    }
}

impl KeyProvider for KeyCache {
    fn key(&self, kid: Uuid) -> KeyFuture<'_> {
        Box::pin(async move {
            let fut = match self.pending(kid) {
                Ok(fut) => fut,
                Err(key) => return Ok(key),
            };
            let result = fut.await;
            let mut slots = self.slots();
            match &result {
                Ok(key) => {
                    slots.insert(kid, Slot::Ready(key.clone()));
                }
                Err(_) => {
                    if matches!(slots.get(&kid), Some(Slot::Pending(_))) {
                        slots.remove(&kid);
                    }
                }
            }
            result
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use futures_util::future::join;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Waker};

    /// Runs a future that needs no I/O to completion on this thread.
    pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    /// Counts calls; answers a key for KID 1, `KeyUnavailable` otherwise; yields once first.
    struct Counting(AtomicUsize);

    impl KeyProvider for Counting {
        fn key(&self, kid: Uuid) -> KeyFuture<'_> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                let mut yielded = false;
                std::future::poll_fn(|cx| {
                    if yielded {
                        Poll::Ready(())
                    } else {
                        yielded = true;
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                })
                .await;
                if kid == Uuid([1; 16]) {
                    Ok(ContentKey::new([0xaa; 16]))
                } else {
                    Err(DecryptError::KeyUnavailable { kid })
                }
            })
        }
    }

    #[test]
    fn cache_asks_once_per_kid_and_shares_in_flight_requests() {
        let inner = Arc::new(Counting(AtomicUsize::new(0)));
        let cache = KeyCache::new(inner.clone());
        let kid = Uuid([1; 16]);
        let (a, b) = block_on(join(cache.key(kid), cache.key(kid)));
        assert_eq!(a.expect("a").expose_secret(), &[0xaa; 16]);
        assert_eq!(b.expect("b").expose_secret(), &[0xaa; 16]);
        assert!(cache.contains(kid));
        assert!(block_on(cache.key(kid)).is_ok());
        assert_eq!(inner.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn cache_does_not_remember_failures() {
        let inner = Arc::new(Counting(AtomicUsize::new(0)));
        let cache = KeyCache::new(inner.clone());
        let kid = Uuid([2; 16]);
        assert_eq!(
            block_on(cache.key(kid)),
            Err(DecryptError::KeyUnavailable { kid })
        );
        assert_eq!(
            block_on(cache.key(kid)),
            Err(DecryptError::KeyUnavailable { kid })
        );
        assert_eq!(inner.0.load(Ordering::SeqCst), 2);
        assert!(!cache.contains(kid));
    }
}
