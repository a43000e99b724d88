using System.Text.Json;

namespace Rein.Journal;

/// <summary>Writes a <see cref="RunRecord"/> as one object of the <c>rein.journal/1</c> and <c>rein.ps/1</c> documents.</summary>
public static class RunRecordJson
{
    public static void Write(Utf8JsonWriter w, RunRecord r, Action<Utf8JsonWriter>? extra = null)
    {
        w.WriteStartObject();
        w.WriteString("run_id", r.Id);
        w.WriteString("state", r.State.ToString().ToLowerInvariant());
        w.WriteStartArray("command");
        foreach (var a in r.Command)
        {
            w.WriteStringValue(a);
        }

        w.WriteEndArray();
        w.WriteString("cwd", r.WorkingDirectory);
        w.WriteString("user", r.User);
        w.WriteNumber("rein_pid", r.ReinPid);
        Nullable(w, "child_pid", r.ChildPid);
        w.WriteString("boot_id", r.BootId);
        w.WriteString("started_at", r.StartedAt.ToString("O"));
        if (r.EndedAt is { } end)
        {
            w.WriteString("ended_at", end.ToString("O"));
        }
        else
        {
            w.WriteNull("ended_at");
        }

        w.WriteString("outcome", r.Outcome);
        Nullable(w, "exit_code", r.ExitCode);
        Nullable(w, "signal", r.Signal);
        Nullable(w, "rein_exit_code", r.ReinExitCode);
        Nullable(w, "duration_ms", r.DurationMs);
        Nullable(w, "peak_rss_bytes", r.PeakRssBytes);
        w.WriteStartArray("pids_killed");
        foreach (var p in r.PidsKilled)
        {
            w.WriteNumberValue(p);
        }

        w.WriteEndArray();
        w.WritePropertyName("unkillable");
        if (r.UnkillableJson is { } u)
        {
            w.WriteRawValue(u);
        }
        else
        {
            w.WriteStartArray();
            w.WriteEndArray();
        }

        w.WriteString("lock", r.LockLabel);
        w.WriteString("model", r.ModelLabel);
        w.WriteString("unclean_reason", r.UncleanReason);
        Nullable(w, "memory_limit_bytes", r.MemoryLimitBytes);
        w.WriteString("cap_method", r.CapMethod);
        w.WriteString("note", r.Note);
        if (r.Refusal is { } refusal)
        {
            w.WritePropertyName("refusal");
            JsonSerializer.Serialize(w, refusal, Running.Gates.RefusalJsonContext.Default.Refusal);
        }
        else
        {
            w.WriteNull("refusal");
        }

        extra?.Invoke(w);
        w.WriteEndObject();
    }

    static void Nullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
