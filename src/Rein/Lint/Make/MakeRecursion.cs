using System.Text.RegularExpressions;

namespace Rein.Lint.Make;

/// <summary>Counts the recipe lines that run make again on the same makefile: <c>$(MAKE) target</c> reads it
/// again (and runs its parse-time shells again); <c>$(MAKE) -C dir</c> or <c>-f other.mk</c> reads another.</summary>
internal static partial class MakeRecursion
{
    [GeneratedRegex(@"(\$\(MAKE\)|\$\{MAKE\}|(?<=^[@+\-\s]*|[;&|(]\s*)make(?=\s|$))([^;&|]*)")]
    private static partial Regex Invocation();

    [GeneratedRegex(@"(?:^|\s)(?:-C\s*|--directory[=\s]\s*)(\S+)")]
    private static partial Regex Directory();

    [GeneratedRegex(@"(?:^|\s)(?:-f\s*|--file[=\s]\s*|--makefile[=\s]\s*)(\S+)")]
    private static partial Regex FileOption();

    public static int CallsIn(string recipe, string makefileName)
    {
        if (
            !recipe.Contains("MAKE", StringComparison.Ordinal)
            && !recipe.Contains("make", StringComparison.Ordinal)
        )
        {
            return 0;
        }

        var count = 0;
        foreach (Match m in Invocation().Matches(recipe))
        {
            var arguments = m.Groups[2].Value;
            if (
                Directory().Match(arguments) is { Success: true } dir
                && dir.Groups[1].Value is not ("." or "$(CURDIR)" or "${CURDIR}")
            )
            {
                continue;
            }

            if (FileOption().Match(arguments) is { Success: true } file)
            {
                var name = file.Groups[1].Value.Trim('"', '\'');
                if (
                    !arguments.Contains("MAKEFILE_LIST", StringComparison.Ordinal)
                    && Path.GetFileName(name) != makefileName
                )
                {
                    continue;
                }
            }

            count++;
        }

        return count;
    }
}
