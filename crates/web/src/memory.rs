//! Gives the system back the memory a crowd leaves behind (issue 11 §4,
//! docs/decisions/0026). glibc's allocator keeps the pages of freed memory
//! in its arenas, one per thread that allocated (each SQLite connection's
//! thread, each tokio worker): after a rush of 20,000 registrations the
//! process stayed at 105 MB for ten minutes although what it still used
//! fitted in 40 MB, which is where one `malloc_trim` brought it. The server
//! asks for that every `EVERY`; a trim takes each arena's lock in turn for
//! a moment, and returns only whole free pages.
//!
//! The one `unsafe` of the workspace (the lint is `deny`, allowed here
//! only): a call to a C function that takes no pointer.

use std::time::Duration;

/// How often the allocator is asked to give back what is free.
const EVERY: Duration = Duration::from_secs(30);

/// Trims the allocator every `EVERY`, off the async threads, for as long
/// as the runtime runs (the server and the benches start it once).
pub fn keep_trimmed() -> tokio::task::JoinHandle<()> {
    tokio::spawn(async {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _ = tokio::task::spawn_blocking(release).await;
        }
    })
}

/// Asks glibc to return the whole free pages of every arena to the system;
/// whether it gave anything back. Elsewhere (musl, macOS) it does nothing:
/// their allocators give memory back themselves or have no such call.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release() -> bool {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim takes no pointer and is MT-Safe (glibc locks
    // each arena while it walks it); live allocations are not touched.
    unsafe { malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release() -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// This process's resident memory, in bytes.
    fn resident() -> u64 {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
        pages * 4096
    }

    #[test]
    fn memory_freed_behind_a_live_allocation_goes_back_to_the_system() {
        // A thread of its own (its own arena) allocates 100 MB in small
        // pieces, keeps one piece in a thousand, frees the others: the
        // freed pages stay resident between the kept pieces until trimmed.
        let kept = std::thread::spawn(|| {
            let pieces: Vec<Vec<u8>> = (0..200_000).map(|i| vec![i as u8; 500]).collect();
            pieces.into_iter().step_by(1000).collect::<Vec<_>>()
        })
        .join()
        .unwrap();
        let held = resident();
        release();
        let after = resident();
        assert_eq!(kept.len(), 200);
        assert!(
            held.saturating_sub(after) > 50_000_000,
            "resident {held} bytes before the trim, {after} after"
        );
    }
}
