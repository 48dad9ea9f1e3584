//! Gives the shared library the soname `libnetns.so.MAJOR`, so programs
//! linked against it keep working across minor releases.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnetns.so.{major}");
    println!("cargo:rerun-if-changed=build.rs");
}
