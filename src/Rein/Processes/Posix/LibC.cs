using System.Runtime.InteropServices;

namespace Rein.Processes.Posix;

/// <summary>
/// The thin syscall layer: libc entry points Rein needs that .NET does not expose (process groups,
/// sessions, signals to arbitrary pids, reaping by pid, pipes, poll). Nothing here has behaviour of
/// its own; callers check return values and errno.
/// </summary>
internal static unsafe partial class LibC
{
    const string Lib = "libc";

    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGPIPE = 13;
    public const int SIGALRM = 14;

    // signal.h: Linux (asm/signal.h) and Darwin (sys/signal.h) differ here.
    public static int SIGUSR1 => OperatingSystem.IsMacOS() ? 30 : 10;

    public static int SIGUSR2 => OperatingSystem.IsMacOS() ? 31 : 12;

    public static int SIGCONT => OperatingSystem.IsMacOS() ? 19 : 18;

    public static int SIGSTOP => OperatingSystem.IsMacOS() ? 17 : 19;

    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int EAGAIN_LINUX = 11;
    public const int EPERM = 1;

    public const int WNOHANG = 1;

    public const short POLLIN = 0x1;
    public const short POLLHUP = 0x10;
    public const short POLLERR = 0x8;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pipe(int* fds);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        int flags,
        int mode
    );

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial nint syscall(nint number, nint arg1, nint arg2);

    /// <summary>Linux pidfd_open(2): an fd that polls readable when the process exits (-1 when unsupported).</summary>
    public static int PidfdOpen(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        // 434 is pidfd_open on every Linux architecture that uses the generic syscall table and on x86_64.
        var fd = (int)syscall(434, pid, 0);
        if (fd >= 0)
        {
            const int F_SETFD = 2;
            const int FD_CLOEXEC = 1;
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        }

        return fd;
    }

    /// <summary>Linux pidfd_send_signal(2) (syscall 424 on x86_64 and the generic table): -1 when unsupported.</summary>
    public static int PidfdSendSignal(int pidfd, int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return (int)syscall4(424, pidfd, signal, 0, 0);
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint syscall4(nint number, nint arg1, nint arg2, nint arg3, nint arg4);

    [LibraryImport(Lib)]
    public static partial int getpid();

    [LibraryImport(Lib)]
    public static partial uint getuid();

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib)]
    public static partial int posix_spawnp(
        int* pid,
        byte* file,
        void* fileActions,
        void* attr,
        byte** argv,
        byte** envp
    );

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport(Lib)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Lib)]
    public static partial int sigfillset(void* set);

    [LibraryImport(Lib)]
    public static partial int sigdelset(void* set, int signo);

    [LibraryImport(Lib)]
    public static partial int fsync(int fd);

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pwrite(int fd, byte* buf, nint count, long offset);

    public static int O_RDWR => 2;

    public static int O_CREAT => OperatingSystem.IsMacOS() ? 0x200 : 0x40;

    public static int O_CLOEXEC => OperatingSystem.IsMacOS() ? 0x1000000 : 0x80000;

    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>Creates a pipe whose two ends are close-on-exec, so they never leak into a child
    /// unless a spawn file action dup2s them onto 0/1/2 (which clears the flag on the copy).</summary>
    public static (int Read, int Write) CloexecPipe()
    {
        int* fds = stackalloc int[2];
        if (pipe(fds) != 0)
        {
            throw new IOException($"pipe failed: errno {Errno}");
        }

        const int F_SETFD = 2;
        const int FD_CLOEXEC = 1;
        fcntl(fds[0], F_SETFD, FD_CLOEXEC);
        fcntl(fds[1], F_SETFD, FD_CLOEXEC);
        return (fds[0], fds[1]);
    }

    public static void SetNonBlocking(int fd)
    {
        const int F_GETFL = 3;
        const int F_SETFL = 4;
        var nonBlock = OperatingSystem.IsMacOS() ? 0x4 : 0x800;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | nonBlock);
    }

    /// <summary>Writes all of <paramref name="data"/>, retrying short writes and EINTR. Returns false on a broken pipe or error.</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    if (Errno == EINTR)
                    {
                        continue;
                    }

                    return false;
                }

                done += (int)n;
            }
        }

        return true;
    }

    /// <summary>Reads a small file with plain open/read. .NET's File APIs take a shared flock(2) to emulate FileShare,
    /// which fails on a file someone holds LOCK_EX on — exactly the lock slot files whose holder we want to read.</summary>
    public static string ReadSmallFile(string path, int max = 65536)
    {
        var fd = open(path, O_CLOEXEC, 0);
        if (fd < 0)
        {
            return "";
        }

        try
        {
            var buf = new byte[max];
            var total = 0;
            fixed (byte* p = buf)
            {
                while (total < max)
                {
                    var n = read(fd, p + total, max - total);
                    if (n <= 0)
                    {
                        break;
                    }

                    total += (int)n;
                }
            }

            return System.Text.Encoding.UTF8.GetString(buf, 0, total);
        }
        finally
        {
            close(fd);
        }
    }
}
