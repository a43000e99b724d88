using System.Globalization;

namespace Rein.Processes.Posix;

/// <summary>
/// Signal names and numbers as coreutils reads and prints them (gnulib's operand2sig and sig2str, what
/// <c>kill -l</c> lists): a name in any case with or without <c>SIG</c>, <c>EXIT</c> for 0, <c>RTMIN+N</c> /
/// <c>RTMAX-N</c> on Linux, or a number — also a shell's <c>$?</c> for a signal death (143 is TERM).
/// The numbers are the kernel's (signal.h), which differ between Linux and macOS. The one table of signal names:
/// <c>rein timeout -s</c>, <c>kill -l</c> style listings and the run summaries all read it.
/// </summary>
public static class SignalNames
{
    // asm/signal.h (x86, arm, arm64, riscv: the generic numbering).
    static readonly (string Name, int Number)[] Linux =
    [
        ("HUP", 1),
        ("INT", 2),
        ("QUIT", 3),
        ("ILL", 4),
        ("TRAP", 5),
        ("ABRT", 6),
        ("IOT", 6),
        ("BUS", 7),
        ("FPE", 8),
        ("KILL", 9),
        ("USR1", 10),
        ("SEGV", 11),
        ("USR2", 12),
        ("PIPE", 13),
        ("ALRM", 14),
        ("TERM", 15),
        ("STKFLT", 16),
        ("CHLD", 17),
        ("CLD", 17),
        ("CONT", 18),
        ("STOP", 19),
        ("TSTP", 20),
        ("TTIN", 21),
        ("TTOU", 22),
        ("URG", 23),
        ("XCPU", 24),
        ("XFSZ", 25),
        ("VTALRM", 26),
        ("PROF", 27),
        ("WINCH", 28),
        ("POLL", 29),
        ("IO", 29),
        ("PWR", 30),
        ("SYS", 31),
    ];

    // sys/signal.h (Darwin): each SIG<name> checked against Apple's header by the compiler (AppleHeaderTests).
    static readonly (string Name, int Number)[] MacOS =
    [
        ("HUP", 1),
        ("INT", 2),
        ("QUIT", 3),
        ("ILL", 4),
        ("TRAP", 5),
        ("ABRT", 6),
        ("IOT", 6),
        ("EMT", 7),
        ("FPE", 8),
        ("KILL", 9),
        ("BUS", 10),
        ("SEGV", 11),
        ("SYS", 12),
        ("PIPE", 13),
        ("ALRM", 14),
        ("TERM", 15),
        ("URG", 16),
        ("STOP", 17),
        ("TSTP", 18),
        ("CONT", 19),
        ("CHLD", 20),
        ("TTIN", 21),
        ("TTOU", 22),
        ("IO", 23),
        ("XCPU", 24),
        ("XFSZ", 25),
        ("VTALRM", 26),
        ("PROF", 27),
        ("WINCH", 28),
        ("INFO", 29),
        ("USR1", 30),
        ("USR2", 31),
    ];

    static (string Name, int Number)[] Table => OperatingSystem.IsMacOS() ? MacOS : Linux;

    /// <summary>glibc's SIGRTMIN as programs see it (the kernel's 32 and 33 are taken by the C library itself).</summary>
    const int RtMin = 34;

    /// <summary>The highest signal number: SIGRTMAX on Linux, NSIG - 1 on macOS (which has no real-time signals).</summary>
    public static int Max => OperatingSystem.IsMacOS() ? Rein.Platform.MacOS.Darwin.NSIG - 1 : 64;

    /// <summary>operand2sig: the signal an operand names, or false.</summary>
    public static bool TryParse(string operand, out int signal)
    {
        signal = -1;
        if (operand.Length > 0 && char.IsAsciiDigit(operand[0]))
        {
            if (
                operand.All(char.IsAsciiDigit)
                && int.TryParse(operand, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            )
            {
                // A shell's $? after a signal death is 128+N (ksh: 256+N); both name signal N.
                signal = n & (n >= 0xFF ? 0xFF : 0x7F);
            }
        }
        else
        {
            var upper = operand.ToUpperInvariant();
            if (
                !FromName(upper, out signal)
                && !(
                    upper.StartsWith("SIG", StringComparison.Ordinal)
                    && FromName(upper[3..], out signal)
                )
            )
            {
                signal = -1;
            }
        }

        return signal >= 0 && signal <= Max;
    }

    /// <summary>sig2str: <c>TERM</c>, <c>RTMIN+2</c>, <c>EXIT</c> for 0 (coreutils' <c>timeout -v -s0</c> says "sending
    /// signal EXIT"); a number when the signal has no name.</summary>
    public static string Name(int signal)
    {
        if (signal == 0)
        {
            return "EXIT";
        }

        foreach (var (name, number) in Table)
        {
            if (number == signal)
            {
                return name;
            }
        }

        if (!OperatingSystem.IsMacOS() && signal >= RtMin && signal <= Max)
        {
            var fromMin = signal - RtMin;
            return fromMin <= (Max - RtMin) / 2 ? (fromMin == 0 ? "RTMIN" : $"RTMIN+{fromMin}")
                : signal == Max ? "RTMAX"
                : $"RTMAX-{Max - signal}";
        }

        return signal.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>str2sig: a name without <c>SIG</c> (upper case), or a number within range.</summary>
    static bool FromName(string name, out int signal)
    {
        signal = -1;
        if (name.Length > 0 && char.IsAsciiDigit(name[0]))
        {
            return name.All(char.IsAsciiDigit)
                && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out signal)
                && signal <= Max;
        }

        if (name == "EXIT")
        {
            signal = 0;
            return true;
        }

        foreach (var (n, number) in Table)
        {
            if (n == name)
            {
                signal = number;
                return true;
            }
        }

        if (OperatingSystem.IsMacOS())
        {
            return false;
        }

        // RTMIN, RTMIN+N, RTMAX, RTMAX-N, within the real-time range.
        var (basis, sign) =
            name.StartsWith("RTMIN", StringComparison.Ordinal) ? (RtMin, '+')
            : name.StartsWith("RTMAX", StringComparison.Ordinal) ? (Max, '-')
            : (0, ' ');
        if (sign == ' ')
        {
            return false;
        }

        var rest = name[5..];
        var offset = 0;
        if (
            rest.Length > 0
            && !(
                rest[0] == sign
                && rest.Length > 1
                && rest[1..].All(char.IsAsciiDigit)
                && int.TryParse(
                    rest[1..],
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out offset
                )
                && offset <= Max - RtMin
            )
        )
        {
            return false;
        }

        signal = sign == '+' ? basis + offset : basis - offset;
        return true;
    }
}
