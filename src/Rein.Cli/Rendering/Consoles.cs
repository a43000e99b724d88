using Spectre.Console;

namespace Rein.Cli.Rendering;

/// <summary>Spectre consoles that respect NO_COLOR and only colour a terminal; width is fixed by REIN_WIDTH (golden tests) or COLUMNS.</summary>
internal static class Consoles
{
    public static IAnsiConsole Stdout() => Create(Console.Out, Console.IsOutputRedirected);

    public static IAnsiConsole Stderr() => Create(Console.Error, Console.IsErrorRedirected);

    /// <summary>The width a line on stderr should fit: REIN_WIDTH, COLUMNS, the terminal's; not a terminal, 440
    /// (a log or an agent reads whole lines, but not 2 KB of one argv).</summary>
    public static int StderrWidth() =>
        (
            int.TryParse(Environment.GetEnvironmentVariable("REIN_WIDTH"), out var width)
            || int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out width)
        )
        && width > 20
            ? width
        : !Console.IsErrorRedirected && Console.WindowWidth is > 20 and var w ? w
        : 440;

    static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Ansi = redirected || noColor ? AnsiSupport.No : AnsiSupport.Detect,
                ColorSystem =
                    redirected || noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                Out = new TrimmedOutput(writer, !redirected),
                Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            }
        );
        // REIN_WIDTH (tests), then COLUMNS as ls(1) reads it, then the terminal's own width.
        if (
            (
                int.TryParse(Environment.GetEnvironmentVariable("REIN_WIDTH"), out var width)
                || int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out width)
            )
            && width > 20
        )
        {
            console.Profile.Width = width;
        }
        else if (redirected)
        {
            console.Profile.Width = 120;
        }

        return console;
    }
}

/// <summary>Spectre's output over a <see cref="TrailingSpaceTrimmer"/>, keeping what the plain output would have
/// detected from the real stream (a terminal, and its size).</summary>
internal sealed class TrimmedOutput(TextWriter writer, bool terminal) : IAnsiConsoleOutput
{
    public TextWriter Writer { get; } = new TrailingSpaceTrimmer(writer);

    public bool IsTerminal => terminal;

    public int Width => terminal && Console.WindowWidth > 0 ? Console.WindowWidth : 80;

    public int Height => terminal && Console.WindowHeight > 0 ? Console.WindowHeight : 24;

    public void SetEncoding(System.Text.Encoding encoding) { }
}
