//! Replicas over PostgreSQL (issue 15): a throwaway PostgreSQL/PostGIS cluster per test
//! (tools/pg/throwaway.sh), saved loops shared by two servers on one database, idempotent
//! saves, `db copy-loops`, and a database outage.
//!
//! Outside CI a machine without Debian's postgresql-15 / postgresql-15-postgis-3 skips these
//! tests with a printed reason; with `CI=true` that fails them.

mod common;

use common::pg::Pg;

#[test]
fn the_throwaway_cluster_has_postgis_and_comes_back_after_a_stop() {
    if std::env::var_os("CI").is_some() {
        // The cluster tests of issue 15 put HAProxy in front of the replicas.
        assert!(
            std::path::Path::new("/usr/sbin/haproxy").exists(),
            "CI needs haproxy: make setup-system installs it"
        );
    }
    let Some(pg) = Pg::start("the_throwaway_cluster_has_postgis") else {
        return;
    };
    assert!(pg.psql("SELECT postgis_version()").starts_with('3'));
    pg.psql("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)");
    pg.stop();
    pg.restart();
    assert_eq!(pg.psql("SELECT x FROM kept"), "7");
}
