//! Generates `include/netns.h` with cbindgen (`make header`), or checks that
//! the committed header is what a fresh generation gives (`--check`, run by
//! `make test`).
//!
//! Usage: `cargo run -p netns-ffi --example generate_header -- [--check] OUTPUT`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn generate() -> Result<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml"))
        .map_err(|e| format!("cbindgen.toml: {e}"))?;
    let version = env!("CARGO_PKG_VERSION");
    config.after_includes = Some(format!(
        "\n/** The version of this header (libnetns {version}); `netns_version()` gives the library's. */\n\
         #define NETNS_VERSION \"{version}\"\n\
         #define NETNS_VERSION_MAJOR {}\n\
         #define NETNS_VERSION_MINOR {}\n\
         #define NETNS_VERSION_PATCH {}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    ));
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .map_err(|e| format!("cbindgen: {e}"))?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).map_err(|e| format!("cbindgen wrote non-UTF-8: {e}"))
}

fn main() -> ExitCode {
    let mut check = false;
    let mut output = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            _ => output = Some(PathBuf::from(arg)),
        }
    }
    let Some(output) = output else {
        eprintln!("usage: generate_header [--check] OUTPUT");
        return ExitCode::from(2);
    };
    let header = match generate() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("generate_header: {e}");
            return ExitCode::FAILURE;
        }
    };
    if check {
        let committed = std::fs::read_to_string(&output).unwrap_or_default();
        if committed != header {
            eprintln!(
                "generate_header: {} differs from a fresh generation; run `make header` and commit it",
                output.display()
            );
            return ExitCode::FAILURE;
        }
        println!("{} is up to date", output.display());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(&output, header) {
        eprintln!("generate_header: {}: {e}", output.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
