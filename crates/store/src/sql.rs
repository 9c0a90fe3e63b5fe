//! Building SQL at run time, for both databases: typed arguments, the one
//! placeholder rewriter, and the text folding search compares with. A leaf.

use almanach_domain::collate::SEARCH_FOLDS;

/// `column` folded in SQL as `collate::search_fold` folds in Rust: lower
/// case, accents off, ligatures spelled out. Written once for both
/// databases with `lower` and `replace`, which both have.
pub(crate) fn search_folded(column: &str) -> String {
    let mut sql = format!("lower({column})");
    for (from, to) in SEARCH_FOLDS {
        let from = from.to_string().replace('\'', "''");
        let to = to.replace('\'', "''");
        sql = format!("replace({sql}, '{from}', '{to}')");
    }
    sql
}

/// `s` matched literally by `like … escape '\'`.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The rows of a many-row `values` list: after `shared` parameters common
/// to every row (`$1…$shared`), row `i` has its own `per_row`, numbered on,
/// which `row` places (it receives them as `$n` texts). For writing a batch
/// in one statement on both databases.
pub(crate) fn value_rows(
    rows: usize,
    shared: usize,
    per_row: usize,
    row: impl Fn(&[String]) -> String,
) -> String {
    (0..rows)
        .map(|i| {
            let first = shared + i * per_row + 1;
            let p: Vec<String> = (first..first + per_row).map(|n| format!("${n}")).collect();
            row(&p)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `items` cut into pieces of 1, 2, 4 … up to `max` (a power of two),
/// largest first: a statement written for a piece has one of a few shapes,
/// so each database prepares it once and keeps it, instead of preparing a
/// new text for every length (and SQLite's cost of naming parameters grows
/// with the square of their number in one statement).
pub(crate) fn pieces<T>(items: &[T], max: usize) -> Vec<&[T]> {
    debug_assert!(max.is_power_of_two());
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let n = max.min(1 << rest.len().ilog2());
        let (piece, later) = rest.split_at(n);
        out.push(piece);
        rest = later;
    }
    out
}

/// `$from, $from+1, …` for `n` parameters: the inside of an `in (…)` list.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A typed argument of a query built at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I(i64),
    S(String),
}

/// A query built piece by piece, its conditions written with `?` and
/// numbered `$n` as they are appended: the crate's one placeholder rewriter.
///
/// Why it exists: sqlx's `Any` driver hands the query text to the database
/// as it is, and the two dialects disagree on placeholders: SQLite accepts
/// `?` and `$n`, PostgreSQL only `$n`. Portable SQL is therefore written
/// with `$n` (docs/decisions/0002), and a query whose conditions come and
/// go needs its numbers counted; this counts them, once, for every filter.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// `head` is plain SQL whose own `$1…$n` are `args`, in order.
    pub(crate) fn new(head: &str, args: Vec<Arg>) -> Sql {
        Sql {
            text: head.to_string(),
            args,
        }
    }

    /// This query inside another: `before`, this, `after` (a subquery),
    /// with the same arguments.
    pub(crate) fn within(self, before: &str, after: &str) -> Sql {
        Sql {
            text: format!("{before}{}{after}", self.text),
            args: self.args,
        }
    }

    /// Appends SQL without arguments.
    pub(crate) fn text(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// Appends `cond`, each of its `?` becoming the placeholder of `a`.
    pub(crate) fn push(&mut self, cond: &str, a: Arg) -> &mut Sql {
        let n = self.arg(a);
        self.text.push_str(&cond.replace('?', &n));
        self
    }

    /// Adds an argument without text and gives its placeholder (`$3`), for
    /// SQL that names it itself, or more than once.
    pub(crate) fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// The query, its arguments bound in order.
    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        bind_args(sqlx::query(&self.text), self.args.clone())
    }

    /// The query as a scalar one, its arguments bound in order.
    pub(crate) fn scalar<O>(
        &self,
    ) -> sqlx::query::QueryScalar<'_, sqlx::Any, O, sqlx::any::AnyArguments<'_>>
    where
        (O,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        bind_args(sqlx::query_scalar(&self.text), self.args.clone())
    }
}

/// Binds `args` in order to a query built with `$n` placeholders.
fn bind_args<'q, Q: BindArg<'q>>(mut q: Q, args: Vec<Arg>) -> Q {
    for a in args {
        q = match a {
            Arg::I(i) => q.bind_i64(i),
            Arg::S(s) => q.bind_string(s),
        };
    }
    q
}

/// What `bind_args` binds to: a query or a scalar query.
trait BindArg<'q>: Sized {
    fn bind_i64(self, v: i64) -> Self;
    fn bind_string(self, v: String) -> Self;
}

impl<'q> BindArg<'q> for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_i64(self, v: i64) -> Self {
        self.bind(v)
    }
    fn bind_string(self, v: String) -> Self {
        self.bind(v)
    }
}

impl<'q, O> BindArg<'q>
    for sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>
{
    fn bind_i64(self, v: i64) -> Self {
        self.bind(v)
    }
    fn bind_string(self, v: String) -> Self {
        self.bind(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_powers_of_two_in_order_and_cover_everything() {
        let items: Vec<u32> = (0..77).collect();
        let got = pieces(&items, 32);
        let sizes: Vec<usize> = got.iter().map(|p| p.len()).collect();
        assert_eq!(sizes, [32, 32, 8, 4, 1]);
        assert_eq!(got.concat(), items);
        assert!(pieces::<u32>(&[], 8).is_empty());
        assert_eq!(pieces(&[1, 2, 3], 1).len(), 3);
    }

    #[test]
    fn value_rows_number_each_rows_parameters_after_the_shared_ones() {
        let sql = value_rows(2, 1, 3, |p| format!("({}, $1)", p.join(", ")));
        assert_eq!(sql, "($2, $3, $4, $1), ($5, $6, $7, $1)");
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }
}
