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

    /// <summary>The one-line human summary printed (to stderr) when Rein had to intervene; null when it did not.</summary>
    public static string? Summary(RunVerdict v, IReadOnlyList<string> command, RunSpec spec)
    {
        if (!v.Intervened && v.Unkillable.Count == 0)
        {
            return null;
        }

        // Shell-quoted with control characters escaped: an argument must not recolour or rewrite the user's terminal.
        var what = CommandText.Join(command);
        if (what.Length > 60)
        {
            what = what[..57] + "...";
        }

        var killed =
            v.PidsKilled.Count > 0 ? $"; killed {v.PidsKilled.Count} process(es) of its tree" : "";
        var head = v.Outcome switch
        {
            RunOutcome.TimedOut =>
                $"`{what}` timed out after {Config.DurationParser.Format(spec.Timeout ?? v.Duration)}{killed}",
            RunOutcome.IdleTimeout =>
                $"`{what}` printed nothing for {Config.DurationParser.Format(spec.IdleTimeout ?? TimeSpan.Zero)} and was stopped as stuck{killed}",
            RunOutcome.Interrupted =>
                $"`{what}` interrupted by {SignalName(v.Signal ?? 15)}{killed}",
            RunOutcome.StartFailed => CommandText.Escape(
                v.StartFailure?.Message ?? "could not start"
            ),
            RunOutcome.MemoryExceeded =>
                $"`{what}` exceeded its memory cap of {Config.SizeParser.Format(v.MemoryLimitBytes ?? 0)} (peak {Config.SizeParser.Format(v.PeakRssBytes)}, enforced by {v.CapMethod}){killed}",
            RunOutcome.MaxProcsExceeded =>
                $"`{what}` exceeded its cap of {spec.MaxProcs} processes (enforced by {v.CapMethod}){killed}",
            _ =>
                $"`{what}` ended ({(v.ExitCode is { } c ? $"exit {c}" : SignalName(v.Signal ?? 0))}); stopped {v.PidsKilled.Count} leftover process(es)",
        };
        var sb = new StringBuilder("rein: ").Append(head);
        if (v.Unkillable.Count > 0)
        {
            sb.Append(
                    $"\nrein: {v.Unkillable.Count} process(es) survived SIGKILL: "
                        + string.Join(
                            ", ",
                            v.Unkillable.Select(u =>
                                $"{u.Pid} ({u.State}: {CommandText.Escape(u.Command)})"
                            )
                        )
                )
                .Append('\n')
                .Append(UnkillableRunbook);
        }

        return sb.ToString();
    }

    public const string UnkillableRunbook =
        "rein: these are in uninterruptible wait (kernel I/O) and cannot be killed. Do not start more of the same;\n"
        + "rein: save your work and reboot. On macOS run Disk Utility > First Aid on the data volume afterwards\n"
        + "rein: (if login fails: Recovery Mode, hold the power button, Options > Disk Utility > First Aid).";

    public static string SignalName(int sig) =>
        sig switch
        {
            LibC.SIGHUP => "SIGHUP",
            LibC.SIGINT => "SIGINT",
            LibC.SIGQUIT => "SIGQUIT",
            6 => "SIGABRT",
            LibC.SIGKILL => "SIGKILL",
            11 => "SIGSEGV",
            13 => "SIGPIPE",
            LibC.SIGTERM => "SIGTERM",
            _ => $"signal {sig}",
        };
}
