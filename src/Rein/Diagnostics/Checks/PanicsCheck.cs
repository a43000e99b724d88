using System.Text.Json.Nodes;
using Rein.Forensics.Panics;
using Rein.Journal;

namespace Rein.Diagnostics.Checks;

/// <summary>Kernel panics in the window, from the panic ledger (the same panics as <c>rein panics</c>): macOS
/// <c>.panic</c> and panic <c>.ips</c> reports (with their signature, e.g. <c>IOGPUMemory.cpp:550 completeMemory()
/// prepare count underflow</c>), Linux pstore, kdump, apport and previous-boot kernel logs, and suspected panics
/// (a --model run alive when the machine went down), each with the guarded runs alive at the time.</summary>
public sealed class PanicsCheck : IDoctorCheck
{
    public string Name => "panics";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var window = Config.DurationParser.Format(ctx.Since);
        var findings = new List<Finding>();
        IReadOnlyList<LedgerPanic> panics;
        // Only a state directory that already holds a journal (rein doctor opens it first): opening one elsewhere
        // would create it and tighten the folder to 0700, which a caller's context must not cause by accident.
        if (!File.Exists(Path.Combine(ctx.StateDirectory, JournalStore.FileName)))
        {
            findings.Add(
                new Finding(
                    Name,
                    Severity.Warn,
                    $"no journal in {ctx.StateDirectory}: the panic ledger was not read"
                )
            );
            return findings;
        }

        try
        {
            using var store = JournalStore.Open(ctx.StateDirectory);
            var ledger = new PanicLedger(store, Sources(ctx), ctx.CurrentBootId ?? "unknown");
            var problems = ledger.Refresh(ctx.Now);
            foreach (var problem in problems)
            {
                findings.Add(new Finding(Name, Severity.Warn, problem));
            }

            panics = ledger.List(ctx.Now - ctx.Since);
        }
        catch (Exception e)
            when (e
                    is JournalException
                        or Microsoft.Data.Sqlite.SqliteException
                        or IOException
                        or UnauthorizedAccessException
                        or Config.StateDirectoryException
            )
        {
            findings.Add(
                new Finding(Name, Severity.Warn, $"the panic ledger is unavailable: {e.Message}")
            );
            return findings;
        }

        if (panics.Count == 0)
        {
            findings.Add(Finding.Ok(Name, $"no kernel panics in the last {window}"));
            return findings;
        }

        foreach (var group in panics.GroupBy(p => p.Panic.Signature))
        {
            var latest = group.MaxBy(p => p.Panic.Time)!;
            var alive = latest.RunsAlive;
            var withRuns =
                alive.Count == 0
                    ? ""
                    : $"; guarded runs alive then: {string.Join(", ", alive.Select(r => $"{r.Id} `{r.CommandLine}`"))}";
            var kind = latest.Panic.Kind == PanicKinds.Suspected ? "suspected " : "";
            findings.Add(
                new Finding(
                    Name,
                    ctx.Now - latest.Panic.Time < TimeSpan.FromDays(1) || group.Count() > 1
                        ? Severity.Critical
                        : Severity.Warn,
                    $"{group.Count()} {kind}kernel panic(s) \"{group.Key}\", latest {latest.Panic.Time.ToLocalTime():yyyy-MM-dd HH:mm}{withRuns}",
                    Advice(group.Key),
                    Details.Of(
                        ("signature", group.Key),
                        ("signature_class", latest.Panic.SignatureClass),
                        ("kind", latest.Panic.Kind),
                        ("count", group.Count()),
                        ("latest", latest.Panic.Time.ToString("O")),
                        (
                            "files",
                            Details.Array(
                                group
                                    .Where(p => p.Panic.File is not null)
                                    .Select(p => (JsonNode)p.Panic.File!)
                            )
                        ),
                        ("runs_alive", Details.Array(alive.Select(r => (JsonNode)r.Id))),
                        ("models_alive", Details.Array(latest.ModelsAlive.Select(m => (JsonNode)m)))
                    )
                )
            );
        }

        return findings;
    }

    /// <summary>The ledger's sources, with the doctor's folders (its tests point them at fixtures).</summary>
    static PanicSources Sources(DoctorContext ctx)
    {
        var sources = PanicSources.FromEnvironment(Environment.GetEnvironmentVariable) with
        {
            ReportDirectories = ctx.DiagnosticReportDirectories,
        };
        return
            ctx.IsLinux
            && Environment.GetEnvironmentVariable("REIN_CRASH_DIR") is not { Length: > 0 }
            ? sources with
            {
                CrashDirectory = ctx.LinuxCrashDirectory,
            }
            : sources;
    }

    /// <summary>Pure: runs that were alive at <paramref name="t"/> (unclean runs are taken as alive until the end of their boot).</summary>
    public static List<RunRecord> AliveAt(IReadOnlyList<RunRecord> runs, DateTimeOffset t) =>
        [.. runs.Where(r => r.StartedAt <= t && (r.EndedAt is null || r.EndedAt >= t))];

    static string Advice(string signature) =>
        signature.Contains("IOGPU", StringComparison.Ordinal)
            ? "GPU-memory panic (known with back-to-back MLX model loads): space model loads, load smaller models, and do not run two loads at once (rein run --lock gpu); the panic gate holds model runs back meanwhile (rein gate)"
            : "note what was running (rein journal --boot previous), check for OS updates, and report the panic signature to the vendor; the panic gate holds model runs back meanwhile (rein gate)";
}
