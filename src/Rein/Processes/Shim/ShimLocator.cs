namespace Rein.Processes.Shim;

/// <summary>
/// How to start the shim (src/native/shim.c): in the NativeAOT rein binary it is built in (<c>rein __shim</c>, no
/// .NET runtime start); elsewhere it is the small <c>rein-shim</c> executable: <c>$REIN_SHIM</c>, else beside the
/// application, else beside the running executable.
/// </summary>
public static class ShimLocator
{
    public const string ExecutableName = "rein-shim";

    /// <summary>The command line prefix that starts the shim, or null with the reason when none is found.</summary>
    public static IReadOnlyList<string>? Find(out string why)
    {
        why = "";
        if (Environment.GetEnvironmentVariable("REIN_SHIM") is { Length: > 0 } explicitPath)
        {
            if (File.Exists(explicitPath))
            {
                // Absolute: the shim may start in another directory (RunSpec.WorkingDirectory).
                return [Path.GetFullPath(explicitPath)];
            }

            why = $"REIN_SHIM points to {explicitPath}, which does not exist";
            return null;
        }

        if (NativePart.Present && Environment.ProcessPath is { } self)
        {
            return [self, "__shim"];
        }

        foreach (
            var dir in new[]
            {
                AppContext.BaseDirectory,
                Path.GetDirectoryName(Environment.ProcessPath ?? "") ?? "",
            }
        )
        {
            var candidate = Path.Combine(dir, ExecutableName);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return [candidate];
            }
        }

        why =
            $"cannot find {ExecutableName} beside {AppContext.BaseDirectory} (set REIN_SHIM to its path)";
        return null;
    }
}
