//! argon2id password hashing, on a few threads of its own.

use std::sync::{
    Arc, Mutex, PoisonError,
    mpsc::{Receiver, SyncSender, TrySendError, sync_channel},
};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::phc::{Output, ParamsString, PasswordHash, Salt},
};
use async_trait::async_trait;
use domain::{Error, Result, ports::PasswordHasher};
use rand::RngCore;
use tokio::sync::oneshot;

/// [`PasswordHasher`] with argon2id and the crate's recommended parameters (19 MiB,
/// 2 passes). Each hash takes tens of milliseconds of CPU and 19 MiB on purpose, so
/// hashes run on a pool of one thread per core, never on the async runtime, with a
/// bounded queue in front: past it a request fails at once (503).
///
/// Why threads of its own, each reusing one 19 MiB work area: argon2 allocates and
/// frees 19 MiB per hash, and glibc's allocator, once such a block has been freed,
/// serves the next ones from its heap and keeps them (measured: 150 hashes on two
/// threads raised peak memory by 361 MiB; on tokio's blocking pool, by 1.8 GB and
/// more). With the work areas allocated once, memory for hashing is one block per
/// thread, whatever the allocator does.
#[derive(Debug, Clone)]
pub struct Argon2Hasher {
    jobs: SyncSender<Job>,
}

type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// Hashes that may wait for a thread before new ones are refused (503).
pub const MAX_WAITING: usize = 128;

impl Argon2Hasher {
    /// `threads` hashing threads (at least one), with at most `max_waiting` hashes
    /// queued for them.
    pub fn new(threads: usize, max_waiting: usize) -> Self {
        let (jobs, queue) = sync_channel::<Job>(max_waiting);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&queue));
            if let Err(err) = spawned {
                tracing::error!(error = %err, "could not start a hashing thread");
            }
        }
        Self { jobs }
    }

    /// One hashing thread per core of this machine, [`MAX_WAITING`] waiting.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores, MAX_WAITING)
    }

    /// Runs `work` on a hashing thread, with that thread's work area.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |area: &mut [Block]| {
            let _ = reply.send(work(area));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(Error::Unavailable("password hashing is saturated".into()));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(Error::Internal("no hashing thread is running".into()));
            }
        }
        answer
            .await
            .map_err(|_| Error::Internal("a hashing thread stopped".into()))
    }
}

/// A hashing thread: takes jobs until every sender is gone, all in one work area.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut area = vec![Block::new(); Params::default().block_count()];
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            Ok(job) => job(&mut area),
            Err(_) => return,
        }
    }
}

/// An argon2id PHC string for `password` with a fresh salt and the default parameters
/// (the same string `argon2`'s own `hash_password` makes), computed in `area`.
fn hash_in(area: &mut [Block], password: &[u8]) -> Result<String> {
    let failed = |e: &dyn std::fmt::Display| Error::Internal(format!("argon2: {e}"));
    let params = Params::default();
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    rand::rng().fill_bytes(&mut salt);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, area)
        .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `phc`, computed in `area` (or, for a hash
/// made with larger parameters than today's, in memory of its own).
fn verify_in(area: &mut [Block], password: &[u8], phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = hash.version.map_or(Ok(Version::V0x13), Version::try_from);
    let (Ok(version), Ok(params)) = (version, Params::try_from(&hash)) else {
        return false;
    };
    let mut larger = Vec::new();
    let area = if params.block_count() <= area.len() {
        area
    } else {
        larger.resize(params.block_count(), Block::new());
        &mut larger[..]
    };
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt.as_ref(), &mut out, area)
        .is_ok()
        // `Output`'s equality is constant-time.
        && Output::new(&out).is_ok_and(|out| out == *expected)
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_owned();
        self.run(move |area| hash_in(area, password.as_bytes()))
            .await?
    }

    async fn verify(&self, password: &str, hash: &str) -> Result<bool> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        self.run(move |area| verify_in(area, password.as_bytes(), &hash))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hasher = Argon2Hasher::new(2, 8);
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse", &hash).await.unwrap());
        assert!(!hasher.verify("wrong horse", &hash).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_verify() {
        use argon2::PasswordHasher as _;
        let theirs = Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        let hasher = Argon2Hasher::new(1, 8);
        assert!(hasher.verify("correct horse", &theirs).await.unwrap());
        assert!(!hasher.verify("wrong horse", &theirs).await.unwrap());
        let ours = hasher.hash("correct horse").await.unwrap();
        use argon2::PasswordVerifier as _;
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn an_unreadable_hash_never_verifies() {
        let hasher = Argon2Hasher::new(1, 8);
        assert!(!hasher.verify("anything", "not-a-phc-string").await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_waiting_bound_hashing_is_refused_at_once() {
        let hasher = Argon2Hasher::new(1, 2);
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash("correct horse").await })
            })
            .collect();
        let mut refused = 0;
        for task in tasks {
            if let Err(Error::Unavailable(_)) = task.await.unwrap() {
                refused += 1;
            }
        }
        assert!(refused >= 1, "some of 12 hashes were refused");
    }
}
