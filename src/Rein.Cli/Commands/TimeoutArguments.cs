using Rein.Config;
using Rein.Processes.Posix;

namespace Rein.Cli.Commands;

internal enum TimeoutRequest
{
    Run,
    Help,
    Version,
    Error,
}

/// <summary>What parsing <c>rein timeout</c>'s command line asks for; <see cref="Error"/> is one line.</summary>
internal sealed record TimeoutParse(
    TimeoutRequest Request,
    TimeoutArguments? Arguments = null,
    string? Error = null
);

/// <summary>
/// <c>rein timeout [OPTION]... DURATION COMMAND [ARG]...</c>, read as coreutils timeout reads it (getopt_long with
/// <c>"+fk:ps:v"</c>): options only before DURATION (everything from the first operand on is the command's),
/// clustered short options (<c>-pv</c>), values attached or separate (<c>-k5</c>, <c>-k 5</c>,
/// <c>--kill-after=5</c>), unambiguous prefixes of long options (<c>--pre</c>), and <c>--</c> to end the options.
/// </summary>
internal sealed record TimeoutArguments
{
    public required TimeSpan Duration { get; init; }

    /// <summary>-k: null when not given or 0 (coreutils: "a duration of 0 disables the associated timeout").</summary>
    public TimeSpan? KillAfter { get; init; }

    /// <summary>-s: the signal sent on timeout (TERM unless told).</summary>
    public int Signal { get; init; } = 15;

    public bool PreserveStatus { get; init; }

    public bool Foreground { get; init; }

    public bool Verbose { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    static readonly string[] LongOptions =
    [
        "foreground",
        "kill-after",
        "preserve-status",
        "signal",
        "verbose",
        "help",
        "version",
    ];

    public static TimeoutParse Parse(IReadOnlyList<string> args)
    {
        TimeSpan? killAfter = null;
        int signal = 15;
        bool preserve = false,
            foreground = false,
            verbose = false;
        string? error = null;
        TimeoutRequest? answer = null;

        // One option (short letter or long name) with its value; false when parsing must stop.
        bool Apply(string option, string? value)
        {
            switch (option)
            {
                case "f" or "foreground":
                    foreground = true;
                    break;
                case "p" or "preserve-status":
                    preserve = true;
                    break;
                case "v" or "verbose":
                    verbose = true;
                    break;
                case "h" or "help":
                    answer = TimeoutRequest.Help;
                    return false;
                case "version":
                    answer = TimeoutRequest.Version;
                    return false;
                case "k" or "kill-after":
                    if (!TryDuration(value!, out var k, out error))
                    {
                        return false;
                    }

                    killAfter = k > TimeSpan.Zero ? k : null;
                    break;
                case "s" or "signal":
                    if (!SignalNames.TryParse(value!, out signal))
                    {
                        error = $"'{CommandText.Escape(value!)}': invalid signal";
                        return false;
                    }

                    break;
            }

            return true;
        }

        var i = 0;
        for (; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--")
            {
                i++;
                break;
            }

            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = a.IndexOf('=', StringComparison.Ordinal);
                var given = eq < 0 ? a[2..] : a[2..eq];
                var matches = LongOptions.Where(o => o == given).ToList();
                if (matches.Count == 0)
                {
                    matches =
                    [
                        .. LongOptions.Where(o => o.StartsWith(given, StringComparison.Ordinal)),
                    ];
                }

                if (matches.Count != 1)
                {
                    error =
                        matches.Count == 0
                            ? $"unrecognized option '{CommandText.Escape(a)}'"
                            : $"option '--{CommandText.Escape(given)}' is ambiguous ({string.Join(", ", matches.Select(m => "--" + m))})";
                    break;
                }

                var name = matches[0];
                string? value = null;
                if (name is "kill-after" or "signal")
                {
                    if (eq >= 0)
                    {
                        value = a[(eq + 1)..];
                    }
                    else if (i + 1 < args.Count)
                    {
                        value = args[++i];
                    }
                    else
                    {
                        error = $"option '--{name}' requires an argument";
                        break;
                    }
                }
                else if (eq >= 0)
                {
                    error = $"option '--{name}' doesn't allow an argument";
                    break;
                }

                if (!Apply(name, value))
                {
                    break;
                }

                continue;
            }

            if (a.Length < 2 || a[0] != '-')
            {
                break; // the first operand: DURATION
            }

            var stop = false;
            for (var j = 1; j < a.Length && !stop; j++)
            {
                var letter = a[j];
                if (letter is 'k' or 's')
                {
                    string? value =
                        j + 1 < a.Length ? a[(j + 1)..]
                        : i + 1 < args.Count ? args[++i]
                        : null;
                    if (value is null)
                    {
                        error = $"option requires an argument -- '{letter}'";
                    }

                    stop = true; // the value took the rest of the word
                    if (error is not null || !Apply(letter.ToString(), value))
                    {
                        break;
                    }
                }
                else if (letter is 'f' or 'p' or 'v' or 'h')
                {
                    if (!Apply(letter.ToString(), null))
                    {
                        break;
                    }
                }
                else
                {
                    error = $"invalid option -- '{CommandText.Escape(letter.ToString())}'";
                    break;
                }
            }

            if (error is not null || answer is not null)
            {
                break;
            }
        }

        if (error is not null)
        {
            return new TimeoutParse(TimeoutRequest.Error, Error: error);
        }

        if (answer is { } request)
        {
            return new TimeoutParse(request);
        }

        var operands = args.Skip(i).ToList();
        if (operands.Count < 2)
        {
            return new TimeoutParse(
                TimeoutRequest.Error,
                Error: operands.Count == 0
                    ? "missing operand: DURATION and COMMAND (e.g. rein timeout 10m make ci)"
                    : $"missing operand: the COMMAND to run after {CommandText.Escape(operands[0])}"
            );
        }

        if (!TryDuration(operands[0], out var duration, out error))
        {
            return new TimeoutParse(TimeoutRequest.Error, Error: error);
        }

        return new TimeoutParse(
            TimeoutRequest.Run,
            new TimeoutArguments
            {
                Duration = duration,
                KillAfter = killAfter,
                Signal = signal,
                PreserveStatus = preserve,
                Foreground = foreground,
                Verbose = verbose,
                Command = operands[1..],
            }
        );
    }

    /// <summary>coreutils' durations (a floating-point number with an optional s, m, h or d) — rein's parser reads
    /// those and its own forms too (500ms, 1h30m).</summary>
    static bool TryDuration(string text, out TimeSpan value, out string? error)
    {
        // As coreutils (strtod, then nothing may follow the number and its suffix): leading white space is
        // skipped, trailing white space is refused ('1 ').
        if (text.Length > 0 && char.IsWhiteSpace(text[^1]))
        {
            value = TimeSpan.Zero;
            error = $"invalid time interval '{CommandText.Escape(text)}'";
            return false;
        }

        if (DurationParser.TryParse(text, out value, out var why))
        {
            error = null;
            return true;
        }

        error = $"invalid time interval '{CommandText.Escape(text)}': {why}";
        return false;
    }
}
