using System.Runtime.InteropServices;
using Rein.Platform;
using Rein.Platform.Linux;
using Rein.Platform.MacOS;

namespace Rein.Platform.Posix;

/// <summary>
/// The thin syscall layer: libc entry points Rein needs that .NET does not expose (process groups,
/// sessions, signals to arbitrary pids, reaping by pid, pipes, poll). Nothing here has behaviour of
/// its own; callers check return values and errno. No variadic function is imported here (see
/// <see cref="Descriptors"/> for open/fcntl, <see cref="LinuxLibC"/> for Linux-only system calls).
/// </summary>
internal static unsafe partial class LibC
{
    const string Lib = "libc";

    [AppleMacro]
    public const int SIGHUP = 1;

    [AppleMacro]
    public const int SIGINT = 2;

    [AppleMacro]
    public const int SIGQUIT = 3;

    [AppleMacro]
    public const int SIGKILL = 9;

    [AppleMacro]
    public const int SIGTERM = 15;

    [AppleMacro]
    public const int SIGPIPE = 13;

    [AppleMacro]
    public const int SIGALRM = 14;

    // signal.h: Linux (asm/signal.h) and Darwin (sys/signal.h) differ here.
    public static int SIGUSR1 => OperatingSystem.IsMacOS() ? Darwin.SIGUSR1 : 10;

    public static int SIGUSR2 => OperatingSystem.IsMacOS() ? Darwin.SIGUSR2 : 12;

    public static int SIGCONT => OperatingSystem.IsMacOS() ? Darwin.SIGCONT : 18;

    public static int SIGSTOP => OperatingSystem.IsMacOS() ? Darwin.SIGSTOP : 19;

    public static int SIGTSTP => OperatingSystem.IsMacOS() ? Darwin.SIGTSTP : 20;

    [AppleMacro]
    public const int ESRCH = 3;

    [AppleMacro]
    public const int EINTR = 4;

    [AppleMacro]
    public const int ECHILD = 10;
    public const int EAGAIN_LINUX = 11;

    [AppleMacro]
    public const int EPERM = 1;

    [AppleMacro]
    public const int WNOHANG = 1;

    [AppleMacro]
    public const short POLLIN = 0x1;

    [AppleMacro]
    public const short POLLHUP = 0x10;

    [AppleMacro]
    public const short POLLERR = 0x8;

    [StructLayout(LayoutKind.Sequential)]
    [AppleStruct("struct pollfd", "fd", "events", "revents")]
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
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    /// <summary>Linux pidfd_open(2): an fd that polls readable when the process exits (-1 when unsupported).</summary>
    public static int PidfdOpen(int pid) =>
        OperatingSystem.IsLinux() ? LinuxLibC.PidfdOpen(pid) : -1;

    /// <summary>Linux pidfd_send_signal(2): -1 when unsupported.</summary>
    public static int PidfdSendSignal(int pidfd, int signal) =>
        OperatingSystem.IsLinux() ? LinuxLibC.PidfdSendSignal(pidfd, signal) : -1;

    [LibraryImport(Lib)]
    public static partial int getpid();

    [LibraryImport(Lib)]
    public static partial uint getuid();

    [LibraryImport(Lib)]
    public static partial int getppid();

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

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* actions, string path);

    /// <summary>Darwin only (spawn.h): the child inherits <paramref name="fd"/> even under POSIX_SPAWN_CLOEXEC_DEFAULT.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("macos")]
    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_addinherit_np(void* actions, int fd);

    [LibraryImport(Lib)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Lib)]
    public static partial int sigfillset(void* set);

    [LibraryImport(Lib)]
    public static partial int sigdelset(void* set, int signo);

    [LibraryImport(Lib)]
    public static partial int fsync(int fd);

    [AppleMacro]
    public const int LOCK_SH = 1;

    [AppleMacro]
    public const int LOCK_EX = 2;

    [AppleMacro]
    public const int LOCK_NB = 4;

    [AppleMacro]
    public const int LOCK_UN = 8;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pwrite(int fd, byte* buf, nint count, long offset);

    public static int O_CLOEXEC => OperatingSystem.IsMacOS() ? Darwin.O_CLOEXEC : 0x80000;

    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>Creates a pipe whose two ends are close-on-exec, so they never leak into a child
    /// unless a spawn file action dup2s them onto 0/1/2 (which clears the flag on the copy).</summary>
    public static (int Read, int Write) CloexecPipe()
    {
        int* fds = stackalloc int[2];
        if (!Descriptors.PipeCloseOnExec(fds))
        {
            throw new IOException($"pipe failed: errno {Errno}");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>Sets O_NONBLOCK: reads then return EAGAIN instead of waiting (drain loops rely on it).</summary>
    public static void SetNonBlocking(int fd)
    {
        if (!Descriptors.SetNonBlocking(fd))
        {
            throw new IOException($"cannot make fd {fd} non-blocking: errno {Errno}");
        }
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
        var fd = Descriptors.Open(path, O_CLOEXEC);
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
