using System.Globalization;
using System.Text.Json.Nodes;

namespace Rein.Diagnostics.Checks;

/// <summary>Whether <c>rein export otlp</c> has been failing: the runs then wait in the journal, and nobody sees
/// them on the team's dashboards until someone looks at the collector.</summary>
public sealed class ExportsCheck : IDoctorCheck
{
    public string Name => "exports";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        if (ctx.OtlpExport is not { } last)
        {
            return [Finding.Ok(Name, "no OTLP export has run")];
        }

        var details = new JsonObject
        {
            ["endpoint"] = last.Endpoint,
            ["last_at"] = last.At.ToString("O", CultureInfo.InvariantCulture),
            ["error"] = last.Error,
            ["queued"] = last.Queued,
            ["failing_since"] = last.FailingSince?.ToString("O", CultureInfo.InvariantCulture),
        };
        if (last.Error is null)
        {
            return
            [
                Finding.Ok(
                    Name,
                    $"the last OTLP export shipped everything ({Ago(ctx.Now - last.At)} ago)",
                    details
                ),
            ];
        }

        var since = last.FailingSince ?? last.At;
        return
        [
            new Finding(
                Name,
                Severity.Warn,
                $"OTLP exports have been failing for {Ago(ctx.Now - since)}: {last.Error}; {last.Queued} run(s) wait in the journal",
                $"check the collector at {last.Endpoint}; the next rein export otlp ships what waits",
                details
            ),
        ];
    }

    static string Ago(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{t.TotalDays:0}d"
        : t.TotalHours >= 1 ? $"{t.TotalHours:0}h"
        : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0}m"
        : $"{Math.Max(0, t.TotalSeconds):0}s";
}
