using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Rein.Cli.Rendering;

/// <summary>Help fits 80 columns (or a narrower terminal) with no trailing spaces: System.CommandLine wraps only to
/// the console's width (unbounded when piped: `rein run --help | less` had 200-column lines) and leaves a space at
/// the end of every wrapped line.</summary>
internal static class HelpWidth
{
    public const int Max = 80;

    /// <summary>Wraps the root's help action (every subcommand's help comes from the root's help option).</summary>
    public static RootCommand Narrow(RootCommand root)
    {
        foreach (var option in root.Options.OfType<HelpOption>())
        {
            if (option.Action is HelpAction help)
            {
                help.MaxWidth = Math.Min(Max, Consoles.StderrWidth());
                option.Action = new TrimmedHelp(help);
            }
        }

        return root;
    }

    /// <summary>System.CommandLine's help, written to a buffer (its builder is not public) and then line by line
    /// without trailing spaces.</summary>
    sealed class TrimmedHelp(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var stdout = Console.Out;
            using var text = new StringWriter();
            Console.SetOut(text);
            int code;
            try
            {
                code = inner.Invoke(parseResult);
            }
            finally
            {
                Console.SetOut(stdout);
            }

            var lines = text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                // The last element follows the final newline: nothing to write.
                if (i < lines.Length - 1 || lines[i].Length > 0)
                {
                    stdout.Write(lines[i].TrimEnd() + "\n");
                }
            }

            return code;
        }
    }
}
