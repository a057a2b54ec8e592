//! What a test does when the shared data (`../shared/data`) it reads is absent.
//!
//! CI and the project's machines have the shared data, so its absence is a failure: a test that
//! quietly passes without its data proves nothing. A checkout without it can skip these tests
//! on purpose with `SCOUR_SKIP_SHARED_DATA=1`.

/// Fails the test (or, with `SCOUR_SKIP_SHARED_DATA` set, prints that it is skipped) because
/// `what` is absent. The caller returns right after.
pub fn absent(what: &str) {
    if std::env::var_os("SCOUR_SKIP_SHARED_DATA").is_some() {
        eprintln!("skipped: {what} (SCOUR_SKIP_SHARED_DATA is set)");
    } else {
        panic!(
            "{what}; the tests expect the shared data at ../shared/data \
             (set SCOUR_SKIP_SHARED_DATA=1 to skip the tests that read it)"
        );
    }
}
