using System.Security.Cryptography;
using System.Text;
using Rein.Journal;

namespace Rein.Export.Otlp;

/// <summary>One finished run as a span: its real start and end, and attributes a team can group by. Never an
/// environment value; the command line only when asked (<c>telemetry.command_lines</c>): otherwise the program's
/// name and a hash of the whole argv, which groups identical commands without revealing them. The trace and span
/// ids derive from the run id, so a run shipped twice (a retried batch) is the same span to the backend.</summary>
public static class RunSpan
{
    /// <summary>The run id attribute.</summary>
    public const string RunIdAttribute = "rein.run.id";

    /// <summary>The span of <paramref name="run"/>; null while it has not ended.</summary>
    public static OtlpSpan? From(RunRecord run, bool commandLines)
    {
        if ((run.EndedAt ?? run.UncleanDetectedAt) is not { } ended)
        {
            return null;
        }

        var program = run.Command.Count > 0 ? Path.GetFileName(run.Command[0]) : "";
        var outcome = run.State == RunState.Unclean ? ExportTotals.Unclean : run.Outcome ?? "";
        var attributes = new List<KeyValuePair<string, object>>();
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                attributes.Add(new(key, value));
            }
        }

        Add(RunIdAttribute, run.Id);
        Add("rein.outcome", outcome);
        Add("process.executable.name", program);
        Add("rein.command.hash", Hash(run.Command));
        if (commandLines)
        {
            Add("process.command_args", run.Command.ToArray());
        }

        Add("process.exit.code", run.ExitCode);
        Add("rein.signal", run.Signal);
        Add("rein.exit_code", run.ReinExitCode);
        Add("rein.duration_ms", run.DurationMs);
        Add("rein.peak_memory_bytes", run.PeakRssBytes);
        Add("rein.memory_limit_bytes", run.MemoryLimitBytes);
        Add("rein.cap_method", run.CapMethod);
        Add("rein.lock", run.LockLabel);
        Add("rein.model", run.ModelLabel);
        Add("rein.refusal.code", run.Refusal?.Code);
        Add("rein.failure", run.Failure?.Class);
        Add("rein.unclean_reason", run.UncleanReason);
        Add("rein.boot_id", run.BootId);
        Add("rein.processes_killed", (long)run.PidsKilled.Count);
        Add("rein.supervision.id", run.Supervision?.SupervisionId);
        Add("rein.supervision.attempt", run.Supervision?.Attempt);

        var events = new List<OtlpEvent>();
        if (run.Supervision?.RestartReason is { } reason)
        {
            events.Add(
                new OtlpEvent("restart", run.StartedAt, [new("rein.restart.reason", reason)])
            );
        }

        if (run.UnkillableJson is { Length: > 2 })
        {
            events.Add(new OtlpEvent("unkillable", ended, []));
        }

        var id = SHA256.HashData(Encoding.UTF8.GetBytes(run.Id));
        var failed = outcome != "exited" || run.ExitCode is not (null or 0);
        return new OtlpSpan(
            id[..16],
            id[16..24],
            $"rein run {program}",
            run.StartedAt,
            ended,
            attributes,
            events,
            failed,
            failed ? outcome : null
        );
    }

    /// <summary>A panic in the ledger as a zero-length span at its time (<c>rein panic</c>): its kind (a report, or
    /// suspected from a model run alive when the machine went down), its signature class and line.</summary>
    public static OtlpSpan FromPanic(Forensics.Panics.PanicRecord panic)
    {
        var id = SHA256.HashData(Encoding.UTF8.GetBytes("panic:" + panic.Source));
        List<KeyValuePair<string, object>> attributes =
        [
            new("rein.panic.kind", panic.Kind),
            new("rein.panic.class", panic.SignatureClass),
            new("rein.panic.signature", panic.Signature),
        ];
        if (panic.BootId is { } boot)
        {
            attributes.Add(new("rein.boot_id", boot));
        }

        return new OtlpSpan(
            id[..16],
            id[16..24],
            "rein panic",
            panic.Time,
            panic.Time,
            attributes,
            [],
            true,
            "panic"
        );
    }

    /// <summary>The first 16 hex digits of SHA-256 over the argv, NUL-separated.</summary>
    public static string Hash(IReadOnlyList<string> command) =>
        Convert.ToHexStringLower(
            SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', command)))
        )[..16];
}
