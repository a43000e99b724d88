using System.Text;
using System.Text.Json;
using Rein.Processes.Posix;

namespace Rein.Running;

/// <summary>The <c>rein.run/1</c> JSON document for a verdict (written by <c>--report FILE</c> and stored in the journal).</summary>
public static class RunReport
{
    public const string Schema = "rein.run/1";

    public static string ToJson(RunVerdict v, IReadOnlyList<string> command, bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonOutput.Options(indented)))
        {
            Write(w, v, command);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(Utf8JsonWriter w, RunVerdict v, IReadOnlyList<string> command)
    {
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteString("run_id", v.RunId);
        w.WriteStartArray("command");
        foreach (var a in command)
        {
            w.WriteStringValue(a);
        }

        w.WriteEndArray();
        w.WriteString("outcome", v.Outcome.ToWire());
        WriteNullable(w, "exit_code", v.ExitCode);
        WriteNullable(w, "signal", v.Signal);
        w.WriteNumber("rein_exit_code", v.ReinExitCode);
        w.WriteNumber("duration_ms", (long)v.Duration.TotalMilliseconds);
        w.WriteString("started_at", v.StartedAt.ToString("O"));
        w.WriteNumber("child_pid", v.ChildPid);
        w.WriteNumber("peak_rss_bytes", v.PeakRssBytes);
        WriteKilled(w, v, withStartTimes: false);
        if (v.CapMethod is not null)
        {
            w.WriteStartObject("caps");
            w.WriteString("method", v.CapMethod);
            if (v.MemoryLimitBytes is { } limit)
            {
                w.WriteNumber("memory_limit_bytes", limit);
            }

            w.WriteNumber("peak_processes", v.PeakProcesses);
            w.WriteEndObject();
        }

        if (v.StartFailure is { } f)
        {
            w.WriteString("error", f.Message);
        }

        w.WriteEndObject();
    }

    /// <summary><c>pids_killed</c> and <c>unkillable</c> (the journal spool also keeps each survivor's start time).</summary>
    internal static void WriteKilled(Utf8JsonWriter w, RunVerdict v, bool withStartTimes)
    {
        w.WriteStartArray("pids_killed");
        foreach (var p in v.PidsKilled)
        {
            w.WriteNumberValue(p);
        }

        w.WriteEndArray();
        w.WriteStartArray("unkillable");
        foreach (var u in v.Unkillable)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", u.Pid);
            w.WriteString("state", u.State.ToString());
            w.WriteString("command", u.Command);
            if (withStartTimes)
            {
                w.WriteNumber("start", u.StartTime);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } x)
        {
            w.WriteNumber(name, x);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
