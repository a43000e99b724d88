using System.CommandLine;
using System.Diagnostics;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Diagnostics;
using Rein.Journal;
using Rein.Processes;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein doctor</c>: every check, concurrently, worst first, with what to do.</summary>
internal static class DoctorCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.doctor/1)",
        };
        var check = new Option<string[]>("--check")
        {
            Description =
                $"Run only these checks (repeatable): {string.Join(", ", Doctor.AllChecks.Select(c => c.Name))}",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = true,
        };
        var since = new Option<string?>("--since")
        {
            Description = "Window for panics, crashes and unclean runs (default 7d)",
            HelpName = "DUR",
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Exit 1 on warnings too, not only on critical findings",
        };
        var cmd = new Command(
            "doctor",
            "Diagnose the machine: stuck (uninterruptible) processes, zombies, memory pressure, top memory users, disk, "
                + "kernel panics, native crashes, containers without memory limits, Spotlight, and Rein's own runs and locks. "
                + "Exit 0 when nothing is critical, 1 otherwise, 2 on bad usage.\n\nExamples:\n  rein doctor\n  rein doctor --check stuck --check memory --json"
        )
        {
            json,
            check,
            since,
            strict,
        };
        cmd.SetAction(parse =>
        {
            var window = TimeSpan.FromDays(7);
            if (
                parse.GetValue(since) is { } s
                && !DurationParser.TryParse(s, out window, out var error)
            )
            {
                Console.Error.WriteLine($"rein doctor: --since: {error}");
                return ExitCodes.BadUsage;
            }

            var wanted = parse.GetValue(check) ?? [];
            var unknown = wanted.Where(w => Doctor.AllChecks.All(c => c.Name != w)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine(
                    $"rein doctor: unknown check '{unknown[0]}' (known: {string.Join(", ", Doctor.AllChecks.Select(c => c.Name))})"
                );
                return ExitCodes.BadUsage;
            }

            var clock = Stopwatch.StartNew();
            var context = BuildContext(window);
            var checks =
                wanted.Length == 0
                    ? Doctor.AllChecks
                    : Doctor.AllChecks.Where(c => wanted.Contains(c.Name));
            var findings = Doctor.Run(context, checks);
            if (parse.GetValue(json))
            {
                WriteJson(findings, clock.Elapsed);
            }
            else
            {
                DoctorRendering.Write(Consoles.Stdout(), findings, clock.Elapsed);
            }

            var worst = findings.Count == 0 ? Severity.Ok : findings.Max(f => f.Severity);
            return worst == Severity.Critical || (parse.GetValue(strict) && worst == Severity.Warn)
                ? ExitCodes.Findings
                : ExitCodes.Ok;
        });
        return cmd;
    }

    static DoctorContext BuildContext(TimeSpan window)
    {
        var table = ProcessTables.Current;
        var boot = JournalAccess.Boot;
        IReadOnlyList<RunRecord> runs = [];
        IReadOnlyList<Rein.Forensics.Breadcrumbs.OpenInference> inferences = [];
        JournalHealth? health = null;
        Rein.Export.Otlp.ExportStatus? export = null;
        try
        {
            // First, so that every check reads a sound journal: a damaged one is moved aside here, once.
            health = JournalHealer.Heal(JournalAccess.StateDir);
            using var store = JournalStore.Open(JournalAccess.StateDir);
            store.Reconcile(boot, table, DateTimeOffset.UtcNow);
            runs = store.Find(new JournalQuery(Limit: 500), boot.BootId);
            export = Rein.Export.Otlp.ExportStatus.Read(store);
            inferences = Rein.Forensics.Breadcrumbs.InferenceWatch.Find(
                store,
                table,
                DateTimeOffset.UtcNow,
                CliConfig.LoadForReading().Duration(Settings.HangAfter),
                window
            );
        }
        catch (Exception e)
            when (e
                    is JournalException
                        or Microsoft.Data.Sqlite.SqliteException
                        or IOException
                        or UnauthorizedAccessException
            )
        {
            Console.Error.WriteLine(
                $"rein doctor: journal unavailable ({e.Message}); Rein's own checks are incomplete"
            );
        }

        var home = Environment.GetEnvironmentVariable("HOME") ?? "";
        // REIN_DIAGNOSTIC_REPORTS points the panic and crash checks at another folder (tests; copied reports).
        var reports =
            Environment.GetEnvironmentVariable("REIN_DIAGNOSTIC_REPORTS") is { Length: > 0 } r ? [r]
            : OperatingSystem.IsMacOS()
                ? new[]
                {
                    "/Library/Logs/DiagnosticReports",
                    Path.Combine(home, "Library/Logs/DiagnosticReports"),
                }
            : [];
        return new DoctorContext
        {
            Table = table,
            Processes = table.Snapshot(),
            Now = DateTimeOffset.UtcNow,
            Since = window,
            StateDirectory = JournalAccess.StateDir,
            WorkingDirectory = Environment.CurrentDirectory,
            Tools = new CommandRunner(),
            Runs = runs,
            Inferences = inferences,
            CurrentBootId = boot.BootId,
            JournalHealth = health,
            OtlpExport = export,
            DiagnosticReportDirectories = reports,
        };
    }

    static void WriteJson(IReadOnlyList<Finding> findings, TimeSpan took) =>
        DocumentOutput.Print(
            Documents.DoctorDocument.From(findings, took),
            Documents.ReinJsonContext.Readable.DoctorDocument
        );
}
