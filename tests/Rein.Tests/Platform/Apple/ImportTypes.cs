namespace Rein.Tests.Platform.Apple;

/// <summary>How an override differs from the C# type's plain C rendering (and why that is the same call).</summary>
internal enum Differs
{
    /// <summary>C# passes a pointer (a byte buffer, void*, no const) where C names the pointee's type.</summary>
    Pointee,

    /// <summary>C# passes a pointer-sized integer (nint) where C takes an opaque pointer (pthread_t, a handler).</summary>
    Handle,

    /// <summary>Same width, other signedness (ssize_t vs size_t): the bits are the same for the values rein passes.</summary>
    Sign,

    /// <summary>C's type is narrower than the C# integer (Darwin's mode_t, nfds_t): the callee reads the low bits,
    /// and rein's values fit.</summary>
    Narrower,
}

/// <summary>A parameter (or, at index -1, the return value) whose C type is not the table's rendering of its C#
/// type, with the kind of difference (checked by the compiler) and the reason it is the same call.</summary>
internal sealed record Override(string CType, Differs Kind, string Why);

/// <summary>
/// The type-mapping table behind AppleImportTests: how a C# P/Invoke parameter is written in C on Apple's LP64
/// targets. Everything the table renders is compared with Apple's declaration by the compiler (a conflicting
/// redeclaration is an error); overrides say where C's type is spelled differently for the same bits.
/// </summary>
internal static class ImportTypes
{
    public static readonly IReadOnlyDictionary<Type, string> Scalars = new Dictionary<Type, string>
    {
        [typeof(void)] = "void",
        [typeof(int)] = "int", // int32_t
        [typeof(uint)] = "unsigned int", // uint32_t (uid_t, socklen_t)
        [typeof(short)] = "short",
        [typeof(ushort)] = "unsigned short",
        [typeof(long)] = "long long", // int64_t, off_t
        [typeof(ulong)] = "unsigned long long", // uint64_t
        [typeof(nint)] = "long", // intptr_t, ssize_t
        [typeof(nuint)] = "unsigned long", // uintptr_t, size_t
        [typeof(byte)] = "char", // as a pointee: C strings and byte buffers
        [typeof(sbyte)] = "signed char",
    };

    const string SizeT = "size_t";

    static Override Buffer(string type, string why = "a byte buffer rein sizes for this struct") =>
        new(type, Differs.Pointee, why);

    static readonly Override ConstBytes = Buffer("const void *", "bytes rein only writes out");
    static readonly Override Bytes = Buffer("void *", "bytes filled in");
    static readonly Override Count = new(SizeT, Differs.Sign, "a byte count, never negative");
    static readonly Override Path = Buffer("const char *", "a NUL-terminated UTF-8 path");
    static readonly Override SpawnAttr = Buffer(
        "posix_spawnattr_t *",
        "Darwin's posix_spawnattr_t is a pointer rein's 1024-byte block holds"
    );
    static readonly Override FileActions = Buffer(
        "posix_spawn_file_actions_t *",
        "a pointer on Darwin, held in rein's block"
    );
    static readonly Override SigSet = Buffer(
        "sigset_t *",
        "a buffer larger than sigset_t (AppleSize checks)"
    );
    static readonly Override ConstSigSet = Buffer(
        "const sigset_t *",
        "a buffer larger than sigset_t (AppleSize checks)"
    );
    static readonly Override StatBuffer = Buffer(
        "struct stat *",
        "DarwinStat.BufferSize bytes (AppleSize checks)"
    );

    /// <summary>Keyed by entry point and parameter index (-1: the return value).</summary>
    public static readonly IReadOnlyDictionary<(string Function, int Index), Override> Overrides =
        new Dictionary<(string, int), Override>
        {
            [("read", 1)] = Bytes,
            [("read", 2)] = Count,
            [("write", 1)] = ConstBytes,
            [("write", 2)] = Count,
            [("pread", 1)] = Bytes,
            [("pread", 2)] = Count,
            [("pwrite", 1)] = ConstBytes,
            [("pwrite", 2)] = Count,
            [("send", 1)] = ConstBytes,
            [("send", 2)] = Count,
            [("poll", 1)] = new(
                "nfds_t",
                Differs.Narrower,
                "nfds_t is unsigned int on Darwin (unsigned long on glibc); rein polls a handful of fds"
            ),
            [("fchmod", 1)] = new(
                "mode_t",
                Differs.Narrower,
                "mode_t is 16 bits on Darwin (32 on Linux); rein passes 0600"
            ),
            [("posix_spawnp", 1)] = Path,
            [("posix_spawnp", 2)] = Buffer(
                "const posix_spawn_file_actions_t *",
                "rein's file-actions block"
            ),
            [("posix_spawnp", 3)] = Buffer("const posix_spawnattr_t *", "rein's attribute block"),
            [("posix_spawnp", 4)] = Buffer(
                "char *const *",
                "argv: NUL-terminated strings, then NULL"
            ),
            [("posix_spawnp", 5)] = Buffer(
                "char *const *",
                "envp: NUL-terminated strings, then NULL"
            ),
            [("posix_spawnattr_init", 0)] = SpawnAttr,
            [("posix_spawnattr_destroy", 0)] = SpawnAttr,
            [("posix_spawnattr_setflags", 0)] = SpawnAttr,
            [("posix_spawnattr_setsigdefault", 0)] = SpawnAttr,
            [("posix_spawnattr_setsigdefault", 1)] = ConstSigSet,
            [("posix_spawnattr_setsigmask", 0)] = SpawnAttr,
            [("posix_spawnattr_setsigmask", 1)] = ConstSigSet,
            [("posix_spawn_file_actions_init", 0)] = FileActions,
            [("posix_spawn_file_actions_destroy", 0)] = FileActions,
            [("posix_spawn_file_actions_adddup2", 0)] = FileActions,
            [("posix_spawn_file_actions_addchdir_np", 0)] = FileActions,
            [("posix_spawn_file_actions_addinherit_np", 0)] = FileActions,
            [("sigemptyset", 0)] = SigSet,
            [("sigfillset", 0)] = SigSet,
            [("sigdelset", 0)] = SigSet,
            [("sigaddset", 0)] = SigSet,
            [("pthread_sigmask", 1)] = ConstSigSet,
            [("pthread_sigmask", 2)] = SigSet,
            [("signal", -1)] = new(
                "void (*)(int)",
                Differs.Handle,
                "the previous handler, compared with nothing"
            ),
            [("signal", 1)] = new("void (*)(int)", Differs.Handle, "SIG_DFL (0)"),
            [("setrlimit", 1)] = Buffer(
                "const struct rlimit *",
                "two uint64_t, as struct rlimit (AppleSize checks)"
            ),
            [("pthread_create", 0)] = Buffer(
                "pthread_t *",
                "pthread_t is a pointer on Darwin: one nint"
            ),
            [("pthread_create", 1)] = new(
                "const pthread_attr_t *",
                Differs.Handle,
                "NULL: default attributes"
            ),
            [("pthread_create", 2)] = Buffer(
                "void *(*)(void *)",
                "an [UnmanagedCallersOnly] nint -> nint function: void * in and out"
            ),
            [("pthread_create", 3)] = new("void *", Differs.Handle, "the argument, passed through"),
            [("pthread_detach", 0)] = new(
                "pthread_t",
                Differs.Handle,
                "the pthread_t pthread_create wrote"
            ),
            [("stat", 0)] = Path,
            [("stat", 1)] = StatBuffer,
            [("lstat", 0)] = Path,
            [("lstat", 1)] = StatBuffer,
            [("fstat", 1)] = StatBuffer,
            [("sysctlbyname", 1)] = Bytes,
            [("tcgetattr", 1)] = Buffer(
                "struct termios *",
                "TermiosConstants.TermiosBytes (AppleSize checks)"
            ),
            [("tcsetattr", 2)] = Buffer(
                "const struct termios *",
                "TermiosConstants.TermiosBytes (AppleSize checks)"
            ),
            [("proc_listallpids", 0)] = Buffer("void *", "an int array"),
            [("proc_listchildpids", 1)] = Buffer("void *", "an int array"),
            [("proc_listpgrppids", 1)] = Buffer("void *", "an int array"),
            [("proc_pid_rusage", 2)] = Buffer(
                "rusage_info_t *",
                "Apple declares rusage_info_t * (void **); the kernel fills the struct there"
            ),
            [("rein_open", 0)] = Path,
        };
}
