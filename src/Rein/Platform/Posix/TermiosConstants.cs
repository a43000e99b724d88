using Rein.Platform.MacOS;

namespace Rein.Platform.Posix;

/// <summary>The parts of struct termios and tcsetattr(3) that Running.Pty uses to turn off output processing.
/// [AppleSize]/[AppleOffset]/[AppleMacro] values are checked against Apple's headers
/// (tests/Rein.Tests/Platform/Apple).</summary>
internal static class TermiosConstants
{
    // struct termios: c_iflag then c_oflag, each a tcflag_t (4 bytes on Linux, 8 on macOS); OPOST is bit 0 on both.
    [AppleSize("struct termios", AtLeast = true)]
    public const int TermiosBytes = 256;

    [AppleOffset("struct termios", "c_oflag", Width = 8)]
    public const int MacOflagOffset = 8;

    [AppleMacro]
    public const int OPOST = 1;

    [AppleMacro]
    public const int TCSANOW = 0;
}
