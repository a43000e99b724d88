namespace Rein;

/// <summary>Rein's version, as <c>rein --version</c> prints it and the journal and the exported spans record it: the
/// library's informational version (from git tags by MinVer, the same for the CLI and the wheel) without its build
/// metadata (<c>0.2.0</c>, <c>0.2.1-alpha.0.4</c>; not <c>…+commit</c>).</summary>
public static class ReinVersion
{
    public static string Text { get; } = Read();

    static string Read()
    {
        var informational =
            typeof(ReinVersion)
                .Assembly.GetCustomAttributes(
                    typeof(System.Reflection.AssemblyInformationalVersionAttribute),
                    false
                )
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
                .FirstOrDefault()
                ?.InformationalVersion
            ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
