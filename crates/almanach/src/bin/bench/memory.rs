//! Memory after a load (issue 11 §4): what the process holds, as the
//! benches print it.

/// The process's resident memory, in bytes (Linux), for the benches.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
