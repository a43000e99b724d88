using System.Runtime.InteropServices;
using System.Text;
using Rein.Platform.Posix;
using static Rein.Platform.Posix.SpawnConstants;

namespace Rein.Processes.Posix;

/// <summary>Why a spawn failed, mapped onto the coreutils exit codes (126/127).</summary>
public sealed record SpawnFailure(int Errno, string Message)
{
    /// <summary>127 when the program does not exist, 126 when it exists but cannot run; <see cref="Code"/> when
    /// set (what failed was not the program: its standard streams, its directory).</summary>
    public int ExitCode => Code ?? (Errno == 2 ? 127 : 126);

    /// <summary>The exit code when it is not the program's fault (125 for a stream rein could not open).</summary>
    public int? Code { get; init; }
}

/// <summary>
/// Starts processes with posix_spawnp. <see cref="System.Diagnostics.Process"/> cannot start a child in
/// a new session, and the runtime ignores SIGPIPE in a way children inherit, so Rein spawns itself:
/// new session (optional), default signal dispositions and an empty signal mask in the child, and
/// explicit fd redirections. Managed code never forks.
/// </summary>
public static unsafe class PosixSpawner
{
    /// <summary>Spawns <paramref name="argv"/> (looked up on PATH). Returns the pid, or the failure.</summary>
    /// <param name="argv">Program and arguments, passed through untouched (no shell).</param>
    /// <param name="environment">The child's complete environment as KEY=VALUE strings.</param>
    /// <param name="newSession">Start the child in a new session and process group (pid = pgid = sid).</param>
    /// <param name="redirects">fd (in this process) → target fd (0, 1 or 2) in the child.</param>
    /// <param name="workingDirectory">Where the child starts (chdir before the exec); null: ours.</param>
    public static (int Pid, SpawnFailure? Failure) Spawn(
        IReadOnlyList<string> argv,
        IReadOnlyList<string> environment,
        bool newSession,
        IReadOnlyList<(int From, int To)>? redirects = null,
        string? workingDirectory = null
    )
    {
        if (argv.Count == 0)
        {
            return (0, new SpawnFailure(22, "no command given"));
        }

        var attr = NativeMemory.AllocZeroed(AttrBytes);
        var actions = NativeMemory.AllocZeroed(AttrBytes);
        var sigdef = NativeMemory.AllocZeroed(SigSetBytes);
        var sigmask = NativeMemory.AllocZeroed(SigSetBytes);
        var allocations = new List<nint>();
        try
        {
            Check(LibC.posix_spawnattr_init(attr), "posix_spawnattr_init");
            Check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");

            // Every catchable signal back to its default; SIGKILL/SIGSTOP cannot be named in the set.
            LibC.sigfillset(sigdef);
            LibC.sigdelset(sigdef, LibC.SIGKILL);
            LibC.sigdelset(sigdef, LibC.SIGSTOP);
            LibC.sigemptyset(sigmask);
            Check(LibC.posix_spawnattr_setsigdefault(attr, sigdef), "setsigdefault");
            Check(LibC.posix_spawnattr_setsigmask(attr, sigmask), "setsigmask");

            var flags = (short)(SetSigDef | SetSigMask);
            if (newSession)
            {
                flags |= SetSidFlag;
            }

            if (OperatingSystem.IsMacOS())
            {
                // On macOS pipe() and the fcntl() that marks it close-on-exec are two calls: a spawn from another
                // thread in between would leak the pipe (a keeper pipe leaked into the command never reaches EOF).
                // Close everything by default and name what the child gets.
                flags |= CloexecDefault;
            }

            Check(LibC.posix_spawnattr_setflags(attr, flags), "setflags");

            var targets = new HashSet<int>();
            foreach (var (from, to) in redirects ?? [])
            {
                targets.Add(to);
                // Darwin's dup2(fd, fd) leaves close-on-exec set (glibc's posix_spawn clears it): inherit instead.
                Check(
                    OperatingSystem.IsMacOS() && from == to
                        ? LibC.posix_spawn_file_actions_addinherit_np(actions, from)
                        : LibC.posix_spawn_file_actions_adddup2(actions, from, to),
                    "file action"
                );
            }

            if (OperatingSystem.IsMacOS())
            {
                foreach (var fd in InheritedDescriptors.Now().Where(fd => !targets.Contains(fd)))
                {
                    Check(
                        LibC.posix_spawn_file_actions_addinherit_np(actions, fd),
                        "addinherit_np"
                    );
                }
            }

            var file = Utf8(argv[0], allocations);
            var argvp = StringArray(argv, allocations);
            if (workingDirectory is not null)
            {
                // glibc 2.29+, macOS 10.15+: the child changes directory between fork and exec.
                Check(
                    LibC.posix_spawn_file_actions_addchdir_np(actions, workingDirectory),
                    "posix_spawn_file_actions_addchdir_np"
                );
            }

            var envp = StringArray(environment, allocations);

            int pid;
            var rc = LibC.posix_spawnp(&pid, file, actions, attr, argvp, envp);
            if (rc != 0)
            {
                return (0, new SpawnFailure(rc, Describe(argv[0], rc)));
            }

            return (pid, null);
        }
        finally
        {
            LibC.posix_spawn_file_actions_destroy(actions);
            LibC.posix_spawnattr_destroy(attr);
            NativeMemory.Free(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(sigdef);
            NativeMemory.Free(sigmask);
            foreach (var p in allocations)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    /// <summary>One line for a spawn error, like a shell would say it.</summary>
    public static string Describe(string program, int errno) =>
        errno switch
        {
            2 => $"{program}: command not found",
            13 => $"{program}: permission denied (not executable)",
            8 => $"{program}: exec format error",
            20 => $"{program}: not a directory",
            _ => $"{program}: cannot execute (errno {errno})",
        };

    static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new IOException($"{what} failed: errno {rc}");
        }
    }

    /// <summary>The bytes the string stands for (<see cref="OsString"/>: a raw byte the caller passed stays that byte).</summary>
    static byte* Utf8(string s, List<nint> allocations)
    {
        var bytes = OsString.ToBytes(s);
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        allocations.Add((nint)p);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        return p;
    }

    static byte** StringArray(IReadOnlyList<string> items, List<nint> allocations)
    {
        var arr = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
        allocations.Add((nint)arr);
        for (var i = 0; i < items.Count; i++)
        {
            arr[i] = Utf8(items[i], allocations);
        }

        return arr;
    }
}
