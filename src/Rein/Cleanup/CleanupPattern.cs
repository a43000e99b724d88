using System.Text.RegularExpressions;

namespace Rein.Cleanup;

/// <summary>The <c>--match-regex</c> pattern: compiled without backtracking (linear time in the command line, so a
/// hostile pattern cannot stall a scan of every process) and with a time limit as a second bound.</summary>
public static class CleanupPattern
{
    static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(100);

    /// <summary>Null when PATTERN compiled into <paramref name="regex"/>; otherwise why it did not, in one line.</summary>
    public static string? Compile(string pattern, out Regex? regex)
    {
        regex = null;
        if (pattern.Length == 0)
        {
            return "the pattern is empty";
        }

        try
        {
            regex = new Regex(
                pattern,
                RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
                Limit
            );
            return null;
        }
        catch (ArgumentException e)
        {
            // .NET's message names the pattern and the position; keep its first line only.
            return e.Message.Split('\n')[0].Trim();
        }
        catch (NotSupportedException e)
        {
            // Backreferences and lookarounds need backtracking, which this scan does not allow.
            return e.Message.Split('\n')[0].Trim();
        }
    }
}
