//! The server's memory while one export runs: resident anonymous memory
//! (`RssAnon`: heap and stacks) at its highest in the first and in the
//! second half of the export's time (memory that grew with the rows written
//! would be higher in the second half), and SQLite's own count of what it
//! had allocated at most, for RssAnon also holds SQLite's page caches (up
//! to `cache_size` per pooled connection: 64 MiB on the writer, 8 MiB on
//! each reader, filled by any long read
//! of pages it does not map, and kept). mimalloc's own "committed" figure is
//! not used: on Linux it counts memory it has reserved and already handed
//! back to the system, and only grows.

#![allow(unsafe_code)] // SQLite's own memory counter, read through its C interface.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::Duration,
};

/// The peaks of one export, in bytes.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Peaks {
    /// `RssAnon` in the first and in the second half of the export's time.
    pub rss: [u64; 2],
    /// All of SQLite's allocations at their highest during the export.
    pub sqlite: u64,
}

/// Samples memory every 5 ms from its own thread until `finish`.
pub(super) struct Sampler {
    done: Arc<AtomicBool>,
    thread: JoinHandle<Vec<u64>>,
}

impl Sampler {
    pub(super) fn start() -> Sampler {
        // SAFETY: resets a counter SQLite keeps under its own mutex.
        unsafe { libsqlite3_sys::sqlite3_memory_highwater(1) };
        let done = Arc::new(AtomicBool::new(false));
        let thread = {
            let done = done.clone();
            std::thread::spawn(move || {
                let mut samples = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    samples.push(rss_bytes());
                    std::thread::sleep(Duration::from_millis(5));
                }
                samples
            })
        };
        Sampler { done, thread }
    }

    pub(super) fn finish(self) -> Peaks {
        self.done.store(true, Ordering::Relaxed);
        let samples = self.thread.join().unwrap_or_default();
        let (first, second) = samples.split_at(samples.len() / 2);
        let most = |half: &[u64]| half.iter().copied().max().unwrap_or(0);
        // SAFETY: reads a counter SQLite keeps under its own mutex.
        let sqlite = unsafe { libsqlite3_sys::sqlite3_memory_highwater(0) };
        Peaks {
            rss: [most(first), most(second)],
            sqlite: u64::try_from(sqlite).unwrap_or(0),
        }
    }
}

/// This process's own resident memory (`RssAnon`: heap and stacks), from
/// /proc; 0 where there is none. Pages of the database file that SQLite maps
/// count in `RssFile` instead: that is the kernel's page cache, shared and
/// reclaimable, and it grows with any read of a large file.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

impl std::fmt::Display for Peaks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = |bytes: u64| bytes as f64 / 1_048_576.0;
        write!(
            f,
            "RssAnon {:.1} MiB in the first half, {:.1} MiB in the second; SQLite {:.1} MiB",
            mib(self.rss[0]),
            mib(self.rss[1]),
            mib(self.sqlite)
        )
    }
}
