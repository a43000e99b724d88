using Rein.Platform.MacOS;

namespace Rein.Platform.Posix;

/// <summary>spawn.h's attribute flags and the sizes of the opaque blocks posix_spawn fills (Processes.Posix.PosixSpawner
/// uses them), with their value on the running OS. [AppleMacro]/[AppleSize] values are checked against Apple's
/// headers (tests/Rein.Tests/Platform/Apple).</summary>
internal static class SpawnConstants
{
    // spawn.h: glibc and Darwin differ in the SETSID bit.
    public static short SetSidFlag =>
        OperatingSystem.IsMacOS() ? Darwin.POSIX_SPAWN_SETSID : (short)0x80;

    // spawn.h (Darwin only): every descriptor not named by a file action is closed in the child.
    public const short CloexecDefault = Darwin.POSIX_SPAWN_CLOEXEC_DEFAULT;

    [AppleMacro("POSIX_SPAWN_SETPGROUP")]
    public const short SetPGroup = 0x02;

    [AppleMacro("POSIX_SPAWN_SETSIGDEF")]
    public const short SetSigDef = 0x04;

    [AppleMacro("POSIX_SPAWN_SETSIGMASK")]
    public const short SetSigMask = 0x08;

    // Generous buffers: glibc's posix_spawnattr_t is 336 bytes, Darwin's is a pointer; sigset_t is 128/4.
    [AppleSize("posix_spawnattr_t", AtLeast = true)]
    [AppleSize("posix_spawn_file_actions_t", AtLeast = true)]
    public const int AttrBytes = 1024;

    [AppleSize("sigset_t", AtLeast = true)]
    public const int SigSetBytes = 256;
}
