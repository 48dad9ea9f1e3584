//! The only module with `unsafe`: thin wrappers over system calls that nix
//! does not cover (pidfds, `NS_GET_NSTYPE`), and the fork/exec child of
//! [`crate::Registry::exec`], which after `fork` in a possibly multi-threaded
//! process may only make async-signal-safe calls.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::libc;
use nix::unistd::Pid;

/// `ioctl(fd, NS_GET_NSTYPE)`: the `CLONE_NEW*` constant of the namespace `fd`
/// refers to.
pub(crate) fn ns_type(fd: BorrowedFd<'_>) -> Result<libc::c_int, Errno> {
    // NS_GET_NSTYPE = _IO(0xb7, 0x3)
    const NS_GET_NSTYPE: libc::c_ulong = (0xb7 << 8) | 0x3;
    // SAFETY: the ioctl takes no argument and `fd` is a valid open descriptor
    // for the duration of the call.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), NS_GET_NSTYPE as _) };
    Errno::result(r)
}

/// `pidfd_open(pid, 0)`: a descriptor that keeps referring to this very
/// process, whatever happens to its pid number.
pub(crate) fn pidfd_open(pid: i32) -> Result<OwnedFd, Errno> {
    // SAFETY: plain system call with integer arguments.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = Errno::result(r)? as RawFd;
    // SAFETY: on success the kernel returned a new descriptor that we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `pidfd_send_signal(pidfd, 0, NULL, 0)`: `Ok` while the process still runs
/// (used to prove a `/proc/PID/...` file opened after the pidfd belonged to it).
pub(crate) fn pidfd_alive(pidfd: BorrowedFd<'_>) -> Result<(), Errno> {
    // SAFETY: signal 0 only checks existence; a NULL siginfo is allowed.
    let r = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            0,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    Errno::result(r).map(drop)
}

/// The step of the exec child that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExecStep {
    /// `setns(fd, CLONE_NEWNET)`.
    EnterNetns = 1,
    /// `unshare(CLONE_NEWNS)`.
    UnshareMounts = 2,
    /// `mount("", "/", MS_SLAVE|MS_REC)`.
    MakeSlave = 3,
    /// `dup2` of the standard streams.
    Stdio = 4,
    /// `execvp`.
    Exec = 5,
}

impl ExecStep {
    fn from_u8(v: u8) -> ExecStep {
        match v {
            1 => ExecStep::EnterNetns,
            2 => ExecStep::UnshareMounts,
            3 => ExecStep::MakeSlave,
            4 => ExecStep::Stdio,
            _ => ExecStep::Exec,
        }
    }
}

/// One bind of `/etc/netns/NAME/ENTRY` over `/etc/ENTRY`.
pub(crate) struct EtcBind {
    /// `/etc/netns/NAME/ENTRY`. The child opens it `O_PATH|O_NOFOLLOW` once
    /// inside its own mount namespace (a bind's source must be a mount of the
    /// caller's namespace), checks with `fstat` that it is no symlink, and
    /// binds exactly that inode through `/proc/self/fd/N`.
    pub(crate) source: CString,
    /// `/etc/ENTRY`.
    pub(crate) target: CString,
    /// The warning written to stderr if the bind fails.
    pub(crate) warning: Vec<u8>,
    /// The warning written to stderr if the source turned into a symlink.
    pub(crate) symlink_warning: Vec<u8>,
}

/// Everything the exec child needs, prepared before `fork` so the child
/// allocates nothing.
pub(crate) struct ExecPlan {
    pub(crate) netns: OwnedFd,
    pub(crate) sysfs_source: CString,
    pub(crate) sysfs_flags: libc::c_ulong,
    pub(crate) sysfs_warning: Vec<u8>,
    pub(crate) binds: Vec<EtcBind>,
    pub(crate) stdio: [Option<OwnedFd>; 3],
    pub(crate) argv: Vec<CString>,
}

/// Forks; the child enters the namespace, takes a private copy of the mount
/// table, remounts `/sys`, binds the `/etc/netns` files and execs. Returns the
/// child's pid once `execvp` succeeded, or the step that failed with its errno.
pub(crate) fn fork_exec(plan: &ExecPlan) -> Result<Pid, (ExecStep, Errno)> {
    let mut argv_ptrs: Vec<*const libc::c_char> = plan.argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let (rd, wr) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| (ExecStep::Exec, e))?;
    // SAFETY: the child branch below only makes async-signal-safe system calls
    // on memory prepared before the fork, then execs or `_exit`s.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err((ExecStep::Exec, Errno::last()));
    }
    if pid == 0 {
        drop(rd);
        // SAFETY: see above; `child` never returns.
        unsafe { child(plan, &argv_ptrs, wr.as_raw_fd()) }
    }
    drop(wr);
    let mut report = [0u8; 5];
    let mut got = 0;
    loop {
        match nix::unistd::read(&rd, &mut report[got..]) {
            Ok(0) => break,
            Ok(n) => {
                got += n;
                if got == report.len() {
                    break;
                }
            }
            Err(Errno::EINTR) => continue,
            Err(e) => return Err((ExecStep::Exec, e)),
        }
    }
    if got == 0 {
        return Ok(Pid::from_raw(pid));
    }
    // The child failed before exec; reap it so it leaves no zombie.
    let _ = nix::sys::wait::waitpid(Pid::from_raw(pid), None);
    let errno = i32::from_ne_bytes([report[1], report[2], report[3], report[4]]);
    Err((ExecStep::from_u8(report[0]), Errno::from_raw(errno)))
}

/// The exec child. Only async-signal-safe calls from here on.
unsafe fn child(plan: &ExecPlan, argv: &[*const libc::c_char], report: RawFd) -> ! {
    unsafe fn fail(report: RawFd, step: ExecStep) -> ! {
        let errno = *libc::__errno_location();
        let mut buf = [0u8; 5];
        buf[0] = step as u8;
        buf[1..].copy_from_slice(&errno.to_ne_bytes());
        libc::write(report, buf.as_ptr().cast(), buf.len());
        libc::_exit(127)
    }
    unsafe fn warn(msg: &[u8]) {
        libc::write(2, msg.as_ptr().cast(), msg.len());
    }
    // Undo what the parent may have set: a blocked mask, ignored SIGPIPE.
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    libc::signal(libc::SIGPIPE, libc::SIG_DFL);

    if libc::setns(plan.netns.as_raw_fd(), libc::CLONE_NEWNET) != 0 {
        fail(report, ExecStep::EnterNetns);
    }
    if libc::unshare(libc::CLONE_NEWNS) != 0 {
        fail(report, ExecStep::UnshareMounts);
    }
    let root = c"/";
    if libc::mount(
        std::ptr::null(),
        root.as_ptr(),
        std::ptr::null(),
        libc::MS_SLAVE | libc::MS_REC,
        std::ptr::null(),
    ) != 0
    {
        fail(report, ExecStep::MakeSlave);
    }
    // A sysfs of this namespace stacked over /sys (it hides the old one and its
    // submounts, as iproute2's detach-then-mount does); on failure /sys stays.
    let sys: &CStr = c"/sys";
    let sysfs: &CStr = c"sysfs";
    if libc::mount(
        plan.sysfs_source.as_ptr(),
        sys.as_ptr(),
        sysfs.as_ptr(),
        plan.sysfs_flags,
        std::ptr::null(),
    ) != 0
    {
        warn(&plan.sysfs_warning);
    }
    for b in &plan.binds {
        let fd = libc::open(
            b.source.as_ptr(),
            libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        );
        if fd < 0 {
            warn(&b.warning);
            continue;
        }
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 || st.st_mode & libc::S_IFMT == libc::S_IFLNK {
            warn(&b.symlink_warning);
            libc::close(fd);
            continue;
        }
        let mut path = [0u8; 32];
        fd_path(fd, &mut path);
        let bound = libc::mount(
            path.as_ptr().cast(),
            b.target.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND,
            std::ptr::null(),
        );
        libc::close(fd);
        if bound != 0 {
            warn(&b.warning);
        }
    }
    for (target, fd) in plan.stdio.iter().enumerate() {
        if let Some(fd) = fd {
            if libc::dup2(fd.as_raw_fd(), target as libc::c_int) < 0 {
                fail(report, ExecStep::Stdio);
            }
        }
    }
    libc::execvp(argv[0], argv.as_ptr());
    fail(report, ExecStep::Exec)
}

/// Writes `/proc/self/fd/FD` and a NUL into `buf`, without allocating.
fn fd_path(fd: libc::c_int, buf: &mut [u8; 32]) {
    const PREFIX: &[u8] = b"/proc/self/fd/";
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    let mut digits = [0u8; 10];
    let mut n = fd.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[PREFIX.len() + i] = digits[len - 1 - i];
    }
    buf[PREFIX.len() + len] = 0;
}

#[cfg(test)]
mod tests {
    #[test]
    fn fd_paths_are_written_without_allocating() {
        for (fd, want) in [
            (0, "/proc/self/fd/0"),
            (7, "/proc/self/fd/7"),
            (1234567890, "/proc/self/fd/1234567890"),
        ] {
            let mut buf = [0u8; 32];
            super::fd_path(fd, &mut buf);
            let end = buf.iter().position(|b| *b == 0).unwrap();
            assert_eq!(&buf[..end], want.as_bytes());
        }
    }
}
