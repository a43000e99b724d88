using Rein.Config;
using Rein.Export.Otlp;

namespace Rein.Cli.Commands;

/// <summary><c>telemetry.at_run_end</c>: after a guarded run, ship what waits to the OTLP collector within the
/// budget, silently (off by default).</summary>
internal static class RunEndExport
{
    public static void After(EffectiveConfig config)
    {
        var budget = config.Duration(Settings.TelemetryAtRunEnd);
        if (budget > TimeSpan.Zero)
        {
            OtlpExport.AtRunEnd(
                JournalAccess.StateDir,
                config.Text(Settings.TelemetryEndpoint),
                budget,
                config.Flag(Settings.TelemetryCommandLines)
            );
        }
    }
}
