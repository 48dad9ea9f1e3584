//! The only module with `unsafe`: thin wrappers over system calls that nix
//! does not cover (pidfds, `NS_GET_NSTYPE`, `open_tree`/`move_mount`), and
//! the fork/exec child of [`crate::Registry::exec`], which after `fork` in a
//! possibly multi-threaded process may only make async-signal-safe calls (the
//! same steps serve [`crate::Registry::exec_in_place`], without the fork).
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::libc;
use nix::unistd::Pid;

pub(crate) mod tun;

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
    /// `prctl(PR_SET_PDEATHSIG)`.
    ParentDeath = 6,
}

impl ExecStep {
    fn from_u8(v: u8) -> ExecStep {
        match v {
            1 => ExecStep::EnterNetns,
            2 => ExecStep::UnshareMounts,
            3 => ExecStep::MakeSlave,
            4 => ExecStep::Stdio,
            6 => ExecStep::ParentDeath,
            _ => ExecStep::Exec,
        }
    }
}

// <linux/mount.h>; the values are kernel ABI.
const OPEN_TREE_CLONE: libc::c_uint = 0x1;
const OPEN_TREE_CLOEXEC: libc::c_uint = libc::O_CLOEXEC as libc::c_uint;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;
const MOVE_MOUNT_T_SYMLINKS: libc::c_uint = 0x10;

/// `open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)`: a
/// detached bind mount of exactly the file or directory `fd` refers to (not
/// recursive), which [`fork_exec`] and [`exec_in_place`] attach over `/etc`
/// with `move_mount` once in their own mount namespace. (A bind through
/// `/proc/self/fd/N` would not do: after `unshare(CLONE_NEWNS)` the file's
/// mount belongs to the old mount namespace and the kernel refuses to bind
/// from it with `EINVAL`; a detached mount can be attached in any.)
pub(crate) fn clone_tree(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    // SAFETY: `fd` is open for the duration of the call; the path is a
    // NUL-terminated empty string.
    let r = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            fd.as_raw_fd(),
            c"".as_ptr(),
            (libc::AT_EMPTY_PATH as libc::c_uint) | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC,
        )
    };
    let fd = Errno::result(r)? as RawFd;
    // SAFETY: on success the kernel returned a new descriptor that we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// One bind of `ETC_DIR/NAME/ENTRY` over `/etc/ENTRY`.
pub(crate) struct EtcBind {
    /// A detached mount ([`clone_tree`]) of the very file that was opened
    /// `O_PATH|O_NOFOLLOW` below the verified `ETC_DIR/NAME` and checked to be
    /// no symbolic link: nothing is resolved by path again, so a link swapped
    /// in later cannot redirect the bind.
    pub(crate) tree: OwnedFd,
    /// `/etc/ENTRY` (followed if it is a symbolic link, as `mount(MS_BIND)`
    /// does for iproute2).
    pub(crate) target: CString,
    /// The warning written if the bind fails.
    pub(crate) warning: Vec<u8>,
}

/// Everything the exec child needs, prepared before `fork` so the child
/// allocates nothing.
pub(crate) struct ExecPlan {
    pub(crate) netns: OwnedFd,
    pub(crate) sysfs_source: CString,
    pub(crate) sysfs_flags: libc::c_ulong,
    pub(crate) sysfs_warning: Vec<u8>,
    pub(crate) binds: Vec<EtcBind>,
    /// Warnings from preparing the plan (entries refused), written by the
    /// child to its standard error before anything else.
    pub(crate) notes: Vec<u8>,
    pub(crate) stdio: [Option<OwnedFd>; 3],
    pub(crate) argv: Vec<CString>,
    /// `KEY=VALUE` entries of the command's whole environment (`execvpe`);
    /// `None` inherits the caller's (`execvp`).
    pub(crate) env: Option<Vec<CString>>,
}

impl ExecPlan {
    fn argv_ptrs(&self) -> Vec<*const libc::c_char> {
        let mut ptrs: Vec<*const libc::c_char> = self.argv.iter().map(|a| a.as_ptr()).collect();
        ptrs.push(std::ptr::null());
        ptrs
    }

    /// The NULL-terminated `envp` of [`ExecPlan::env`], when set.
    fn env_ptrs(&self) -> Option<Vec<*const libc::c_char>> {
        self.env.as_ref().map(|env| {
            let mut ptrs: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).collect();
            ptrs.push(std::ptr::null());
            ptrs
        })
    }
}

/// Forks; the child asks for `SIGKILL` when the forking thread ends
/// (`PR_SET_PDEATHSIG`), enters the namespace, takes a private copy of the
/// mount table, remounts `/sys`, binds the etc files and execs. Returns the
/// child's pid once `execvp` succeeded, or the step that failed with its errno.
pub(crate) fn fork_exec(plan: &ExecPlan) -> Result<Pid, (ExecStep, Errno)> {
    let argv_ptrs = plan.argv_ptrs();
    let env_ptrs = plan.env_ptrs();
    let (rd, wr) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| (ExecStep::Exec, e))?;
    // SAFETY: plain system call.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the child branch below only makes async-signal-safe system calls
    // on memory prepared before the fork, then execs or `_exit`s.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err((ExecStep::Exec, Errno::last()));
    }
    if pid == 0 {
        drop(rd);
        // SAFETY: see above; `child` never returns.
        unsafe {
            child(
                plan,
                &argv_ptrs,
                env_ptrs.as_deref(),
                wr.as_raw_fd(),
                parent,
            )
        }
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

/// Does in the calling thread what the child of [`fork_exec`] does (less
/// `PR_SET_PDEATHSIG`), ending in `execvp`: returns only on failure, with
/// the step and its errno, and then the calling thread may already be in the
/// namespace and in a mount namespace of its own. For a process that is
/// about to become the command (`netns exec`).
pub(crate) fn exec_in_place(plan: &ExecPlan) -> (ExecStep, Errno) {
    let argv_ptrs = plan.argv_ptrs();
    let env_ptrs = plan.env_ptrs();
    // SAFETY: `plan`, `argv_ptrs` and `env_ptrs` outlive the call; on success
    // it does not return (the process image is replaced).
    unsafe { enter_and_exec(plan, &argv_ptrs, env_ptrs.as_deref()) }
}

/// The exec child. Only async-signal-safe calls from here on.
unsafe fn child(
    plan: &ExecPlan,
    argv: &[*const libc::c_char],
    envp: Option<&[*const libc::c_char]>,
    report: RawFd,
    parent: libc::pid_t,
) -> ! {
    unsafe fn fail(report: RawFd, step: ExecStep, errno: Errno) -> ! {
        let mut buf = [0u8; 5];
        buf[0] = step as u8;
        buf[1..].copy_from_slice(&(errno as i32).to_ne_bytes());
        libc::write(report, buf.as_ptr().cast(), buf.len());
        libc::_exit(127)
    }
    // Die with the thread that forked (the caller's): no command left behind,
    // running unseen, when the program that started it is killed.
    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
        fail(report, ExecStep::ParentDeath, Errno::last());
    }
    // The parent died before the request took effect: nobody is waiting.
    if libc::getppid() != parent {
        libc::_exit(127);
    }
    let (step, errno) = enter_and_exec(plan, argv, envp);
    fail(report, step, errno)
}

/// Enters the namespace, makes the mounts and execs (`execvpe` with `envp`
/// when given, else `execvp`): the steps shared by the fork child and
/// [`exec_in_place`]. Only async-signal-safe calls; returns only on failure.
unsafe fn enter_and_exec(
    plan: &ExecPlan,
    argv: &[*const libc::c_char],
    envp: Option<&[*const libc::c_char]>,
) -> (ExecStep, Errno) {
    // Warnings go to the command's standard error (not yet moved to fd 2).
    let err_fd = plan.stdio[2].as_ref().map_or(2, |fd| fd.as_raw_fd());
    let warn = |msg: &[u8]| {
        // SAFETY: `msg` is a live buffer of `msg.len()` bytes.
        unsafe { libc::write(err_fd, msg.as_ptr().cast(), msg.len()) };
    };
    // Undo what the parent may have set: a blocked mask, ignored SIGPIPE.
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    if !plan.notes.is_empty() {
        warn(&plan.notes);
    }

    if libc::setns(plan.netns.as_raw_fd(), libc::CLONE_NEWNET) != 0 {
        return (ExecStep::EnterNetns, Errno::last());
    }
    if libc::unshare(libc::CLONE_NEWNS) != 0 {
        return (ExecStep::UnshareMounts, Errno::last());
    }
    let root = c"/";
    if libc::mount(
        std::ptr::null(),
        root.as_ptr(),
        c"none".as_ptr(),
        libc::MS_SLAVE | libc::MS_REC,
        std::ptr::null(),
    ) != 0
    {
        return (ExecStep::MakeSlave, Errno::last());
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
        let moved = libc::syscall(
            libc::SYS_move_mount,
            b.tree.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            b.target.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS,
        );
        if moved != 0 {
            warn(&b.warning);
        }
    }
    for (target, fd) in plan.stdio.iter().enumerate() {
        if let Some(fd) = fd {
            if libc::dup2(fd.as_raw_fd(), target as libc::c_int) < 0 {
                return (ExecStep::Stdio, Errno::last());
            }
        }
    }
    match envp {
        Some(envp) => libc::execvpe(argv[0], argv.as_ptr(), envp.as_ptr()),
        None => libc::execvp(argv[0], argv.as_ptr()),
    };
    (ExecStep::Exec, Errno::last())
}

/// `sendto(2)` of a whole link-layer frame (its own header included) on the
/// `AF_PACKET`/`SOCK_RAW` socket `fd`, out of the link `ifindex`: the
/// `sockaddr_ll` nix can only read, not make. `protocol` is the frame's
/// EtherType, host order. Returns the bytes sent.
pub(crate) fn packet_send(
    fd: BorrowedFd<'_>,
    ifindex: u32,
    protocol: u16,
    frame: &[u8],
) -> Result<usize, Errno> {
    let ifindex = libc::c_int::try_from(ifindex).map_err(|_| Errno::EINVAL)?;
    // SAFETY: sockaddr_ll is plain old data; all zeroes is a valid value.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as libc::c_ushort;
    sll.sll_protocol = protocol.to_be();
    sll.sll_ifindex = ifindex;
    // SAFETY: `frame` is valid for `frame.len()` bytes and `sll` for its
    // size for the duration of the call; the kernel copies both.
    let r = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            frame.as_ptr().cast(),
            frame.len(),
            0,
            std::ptr::addr_of!(sll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    Errno::result(r).map(|n| n as usize)
}
