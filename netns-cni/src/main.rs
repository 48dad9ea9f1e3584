//! `netns-cni`: the CNI plugin binary. Environment and stdin in, JSON out;
//! everything else is in the library.

use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let env = netns_cni::Env::from_process();
    let mut stdin = Vec::new();
    // VERSION may come without stdin; a read error leaves it empty and the
    // command reports the missing configuration.
    let _ = std::io::stdin().read_to_end(&mut stdin);
    let outcome = netns_cni::run(&env, &stdin);
    let mut out = std::io::stdout().lock();
    if out
        .write_all(&outcome.stdout)
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::from(1);
    }
    if outcome.status == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
