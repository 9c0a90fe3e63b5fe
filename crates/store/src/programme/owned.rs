//! What every programme write checks: references stay within the library.

use crate::{Result, StoreError, Tx};
use almanach_domain::ids::LibraryId;

pub(super) fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// Refuses references to records of another library (or none).
pub(super) async fn check_owned(
    tx: &mut Tx,
    table: &str,
    id: impl Into<i64>,
    library_id: LibraryId,
) -> Result<()> {
    let id = id.into();
    let n: i64 = sqlx::query_scalar(&format!(
        "select count(*) from {table} where id = $1 and library_id = $2"
    ))
    .bind(id)
    .bind(library_id)
    .fetch_one(&mut **tx)
    .await?;
    if n == 0 {
        Err(StoreError::Conflict(format!("{table} {id} does not exist")))
    } else {
        Ok(())
    }
}
