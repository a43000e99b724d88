namespace Rein.Lint;

/// <summary>How bad a lint finding is, ordered so that "at or above --fail-on" is a comparison.</summary>
public enum LintSeverity
{
    Info = 0,
    Warning = 1,
    Error = 2,
}

/// <summary>The words used in text, JSON and on the command line (<c>info</c>, <c>warning</c>, <c>error</c>).</summary>
public static class LintSeverityNames
{
    public static string Name(this LintSeverity severity) =>
        severity switch
        {
            LintSeverity.Error => "error",
            LintSeverity.Warning => "warning",
            _ => "info",
        };

    public static bool TryParse(string text, out LintSeverity severity)
    {
        switch (text)
        {
            case "error":
                severity = LintSeverity.Error;
                return true;
            case "warning":
            case "warn":
                severity = LintSeverity.Warning;
                return true;
            case "info":
                severity = LintSeverity.Info;
                return true;
            default:
                severity = LintSeverity.Error;
                return false;
        }
    }
}
