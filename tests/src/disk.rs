//! A small disk that a test can fill: a tmpfs mounted for the test, holding the
//! server's SQLite file or a PostgreSQL tablespace with the server's database.
//!
//! Mounting needs root (CI runs as root). Elsewhere [`SmallDisk::mount`] returns
//! `None` after saying so loudly; under `CI=true` it fails the test instead.

use std::{fs::File, io::Write, path::PathBuf, process::Command};

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

use crate::{block_on_fresh_runtime, postgres_base};

/// A mounted tmpfs, unmounted (with whatever the test put there) on drop.
pub struct SmallDisk {
    dir: PathBuf,
    filler: PathBuf,
    database: Option<PgOnDisk>,
}

/// A PostgreSQL tablespace on the disk and a database in it.
struct PgOnDisk {
    admin_url: String,
    tablespace: String,
    name: String,
}

impl SmallDisk {
    /// Mounts a tmpfs of `bytes`; `None` (after a loud message) when this user cannot
    /// mount and the run is not CI.
    pub fn mount(bytes: u64) -> Option<Self> {
        let dir = std::env::temp_dir().join(format!("papo-disk-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={bytes},mode=0777"))
            .arg("tmpfs")
            .arg(&dir)
            .status()
            .is_ok_and(|status| status.success());
        if !mounted {
            let _ = std::fs::remove_dir(&dir);
            let why = "mounting a tmpfs failed (this test needs root to fill a real disk)";
            assert!(std::env::var("CI").is_err(), "{why}");
            eprintln!("!!! SKIPPED: {why} !!!");
            return None;
        }
        let filler = dir.join("filler");
        Some(Self {
            dir,
            filler,
            database: None,
        })
    }

    /// A fresh database on this disk: a SQLite file, or, when
    /// `PAPO_TEST_DATABASE_URL` names PostgreSQL, a database in a tablespace here.
    pub async fn database_url(&mut self) -> String {
        let Some(base) = postgres_base() else {
            return format!("sqlite://{}/papo.db", self.dir.display());
        };
        let location = self.dir.join("pg");
        std::fs::create_dir_all(&location).expect("tablespace directory");
        let chowned = Command::new("chown")
            .arg("postgres:postgres")
            .arg(&location)
            .status()
            .is_ok_and(|status| status.success());
        assert!(chowned, "the tablespace directory belongs to postgres");
        let suffix = Uuid::new_v4().simple();
        let pg = PgOnDisk {
            admin_url: format!("{base}/postgres"),
            tablespace: format!("papo_disk_{suffix}"),
            name: format!("papo_test_{suffix}"),
        };
        let admin = Database::connect(pg.admin_url.clone())
            .await
            .expect("PostgreSQL is reachable");
        for sql in [
            format!(
                "CREATE TABLESPACE {} LOCATION '{}'",
                pg.tablespace,
                location.display()
            ),
            format!("CREATE DATABASE {} TABLESPACE {}", pg.name, pg.tablespace),
        ] {
            admin.execute_unprepared(&sql).await.expect(&sql);
        }
        admin.close().await.ok();
        let url = format!("{base}/{}", pg.name);
        self.database = Some(pg);
        url
    }

    /// Fills the disk until at most `leave` bytes are free.
    pub fn fill(&self, leave: u64) {
        let mut file = File::create(&self.filler).expect("filler file");
        let chunk = vec![0_u8; 64 * 1024];
        let mut written: u64 = 0;
        while file.write_all(&chunk).is_ok() {
            written += chunk.len() as u64;
        }
        let _ = file.sync_all();
        file.set_len(written.saturating_sub(leave))
            .expect("filler trimmed");
    }

    /// Gives the filled space back.
    pub fn free(&self) {
        std::fs::remove_file(&self.filler).expect("filler removed");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if let Some(pg) = self.database.take() {
            block_on_fresh_runtime(async move {
                if let Ok(admin) = Database::connect(pg.admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            pg.name
                        ))
                        .await;
                    let _ = admin
                        .execute_unprepared(&format!("DROP TABLESPACE IF EXISTS {}", pg.tablespace))
                        .await;
                    let _ = admin.close().await;
                }
            });
        }
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}
