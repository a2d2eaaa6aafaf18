//! The JNI layer itself, from a real JVM: android/java/org/tstat/Tstat.java and
//! tests/jvm/TstatJvmCheck.java compiled with javac, run with java on the host build of
//! libtstat_android.so (the cdylib this crate builds). Checks the JNI names and signatures,
//! which the Rust-side tests (tests/session.rs) cannot. Needs a JDK (Debian's
//! openjdk-17-jdk-headless; `.ci/android` installs it): without one the test says so, and
//! with TSTAT_REQUIRE_TOOLS=1 it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn library_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp; the cdylib is <target>/<profile>/.
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target>/tmp")
        .to_path_buf();
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    target.join(profile)
}

fn run(cmd: &mut Command) -> String {
    let o = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{cmd:?}:\n{text}");
    text
}

#[test]
fn every_native_method_answers_a_real_jvm() {
    if Command::new("javac").arg("-version").output().is_err() {
        let required = std::env::var("TSTAT_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "TSTAT_REQUIRE_TOOLS=1 but javac (openjdk-17-jdk-headless) is missing"
        );
        println!("jvm: did not run (no javac)");
        return;
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A test build links the rlib only: build the cdylib the app would load.
    let mut build = Command::new(env!("CARGO"));
    build
        .current_dir(here)
        .args(["build", "--locked", "--lib", "--quiet"]);
    if cfg!(feature = "live") {
        build.args(["--features", "live"]);
    }
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    run(&mut build);
    let lib = library_dir();
    assert!(
        lib.join("libtstat_android.so").is_file(),
        "the cdylib is not at {}",
        lib.display()
    );
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jvm");
    let _ = std::fs::remove_dir_all(&work);
    let classes = work.join("classes");
    std::fs::create_dir_all(&classes).unwrap();
    run(Command::new("javac")
        .arg("-d")
        .arg(&classes)
        .arg(here.join("java/org/tstat/Tstat.java"))
        .arg(here.join("tests/jvm/TstatJvmCheck.java")));
    let trace = here.join("../tests/data/sample.pcap");
    let out = work.join("out");
    let mut java = Command::new("java");
    java.arg(format!("-Djava.library.path={}", lib.display()))
        .arg("-cp")
        .arg(&classes)
        .arg("TstatJvmCheck")
        .arg(&trace)
        .arg(&out);
    if cfg!(feature = "live") {
        java.arg("live");
    }
    let text = run(&mut java);
    println!("{text}");
    assert!(text.contains("all native methods answered"), "{text}");
}
