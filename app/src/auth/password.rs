//! Password hashing: argon2id with the crate's recommended parameters and a
//! random salt per hash, stored as a PHC string.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use rand::{distributions::Alphanumeric, Rng};

/// Shorter passwords are refused when set.
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longer ones are refused when set or checked: argon2 reads all of it.
pub const MAX_PASSWORD_LEN: usize = 1_024;

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

/// False for a wrong password and for a hash that does not parse.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes running at once: each takes ~19 MiB and tens of milliseconds of a
/// core, so a burst of sign-ins queues here instead of exhausting memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// [`hash_password`] on a blocking thread: argon2 on the async runtime's
/// few threads would stall every other request while it runs.
pub async fn hash_password_async(password: String) -> String {
    let _permit = HASHING.acquire().await;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// [`verify_password`] on a blocking thread, like [`hash_password_async`].
pub async fn verify_password_async(password: String, phc: String) -> bool {
    let _permit = HASHING.acquire().await;
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A temporary password for a new member or a reset: 16 letters and digits.
pub fn generate_password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_different_one_does_not() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn hashing_runs_off_the_async_runtime_so_a_timer_keeps_ticking() {
        // On a one-thread runtime, a hash on the runtime itself would hold
        // the timer back for the whole hash.
        let ticks = tokio::spawn(async {
            let mut n = 0;
            for _ in 0..10 {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                n += 1;
            }
            n
        });
        let hashes: Vec<String> =
            futures::future::join_all((0..6).map(|i| hash_password_async(format!("password-{i}"))))
                .await;
        assert!(ticks.is_finished(), "the timer task starved while hashing");
        assert_eq!(ticks.await.unwrap(), 10);
        assert!(verify_password_async("password-3".into(), hashes[3].clone()).await);
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            hash_password("same-password"),
            hash_password("same-password")
        );
    }

    #[test]
    fn a_malformed_stored_hash_never_verifies() {
        assert!(!verify_password("anything", "not-a-phc-string"));
    }
}
