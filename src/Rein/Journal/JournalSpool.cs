using System.Text;
using System.Text.Json;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Journal;

/// <summary>
/// The journal's write-ahead spool: <c>&lt;state&gt;/spool/RUN_ID.run</c>, one JSON line per life-cycle event
/// (start, child, end). A guarded run writes here instead of opening SQLite — creating one small file and two
/// fsyncs (file and directory) make the start record durable before the spawn (G4) for a fraction of an
/// SQLite open — and every reader of the journal (<see cref="JournalStore.Open"/>) imports the spool first.
/// A line cut short by a crash is ignored; a file is deleted once its end (or its unclean end) is in the database.
/// </summary>
public static class JournalSpool
{
    public const string Folder = "spool";

    public static string Directory(string stateDirectory) => Path.Combine(stateDirectory, Folder);

    public static string FileFor(string stateDirectory, string runId) =>
        Path.Combine(Directory(stateDirectory), runId + ".run");

    public static string StartLine(RunStart s, BootIdentity boot) =>
        Line(w =>
        {
            w.WriteString("t", "start");
            w.WriteString("run_id", s.RunId);
            w.WriteStartArray("command");
            foreach (var a in s.Command)
            {
                w.WriteStringValue(a);
            }

            w.WriteEndArray();
            w.WriteString("cwd", s.WorkingDirectory);
            w.WriteString("user", s.User);
            w.WriteNumber("rein_pid", s.ReinPid);
            w.WriteNumber("rein_start", s.ReinStartTime);
            w.WriteString("boot_id", boot.BootId);
            if (boot.BootTime is { } bt)
            {
                w.WriteNumber("boot_time", bt.ToUnixTimeMilliseconds());
            }

            w.WriteNumber("started_at", s.StartedAt.ToUnixTimeMilliseconds());
            w.WriteString("lock", s.LockLabel);
            w.WriteString("model", s.ModelLabel);
        });

    public static string ChildLine(int pid, ulong startTime, int processGroup) =>
        Line(w =>
        {
            w.WriteString("t", "child");
            w.WriteNumber("pid", pid);
            w.WriteNumber("start", startTime);
            w.WriteNumber("pgid", processGroup);
        });

    public static string EndLine(RunVerdict v) =>
        Line(w =>
        {
            w.WriteString("t", "end");
            w.WriteString("outcome", v.Outcome.ToWire());
            Nullable(w, "exit_code", v.ExitCode);
            Nullable(w, "signal", v.Signal);
            w.WriteNumber("duration_ms", (long)v.Duration.TotalMilliseconds);
            w.WriteNumber("started_at", v.StartedAt.ToUnixTimeMilliseconds());
            w.WriteNumber("peak_rss", v.PeakRssBytes);
            w.WriteNumber("child_pid", v.ChildPid);
            RunReport.WriteKilled(w, v, withStartTimes: true);
            if (v.StartFailure is { } f)
            {
                w.WriteNumber("start_errno", f.Errno);
                w.WriteString("start_error", f.Message);
            }

            Nullable(w, "memory_limit", v.MemoryLimitBytes);
            w.WriteString("cap_method", v.CapMethod);
            w.WriteNumber("peak_processes", v.PeakProcesses);
            if (v.Refusal is { } refusal)
            {
                w.WritePropertyName("refusal");
                JsonSerializer.Serialize(w, refusal, RefusalJsonContext.Default.Refusal);
            }
        });

    /// <summary>What one spool file holds so far.</summary>
    public sealed record Entry(
        string Path,
        RunStart? Start,
        BootIdentity? Boot,
        (int Pid, ulong Start, int Pgid)? Child,
        RunVerdict? End
    );

    /// <summary>Parses a spool file. Lines that do not parse (a write cut short) are skipped.</summary>
    public static Entry Parse(string path, string text)
    {
        RunStart? start = null;
        BootIdentity? boot = null;
        (int, ulong, int)? child = null;
        RunVerdict? end = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                switch (e.GetProperty("t").GetString())
                {
                    case "start":
                        start = new RunStart(
                            e.GetProperty("run_id").GetString()!,
                            [
                                .. e.GetProperty("command")
                                    .EnumerateArray()
                                    .Select(a => a.GetString() ?? ""),
                            ],
                            e.GetProperty("cwd").GetString()!,
                            e.GetProperty("user").GetString()!,
                            e.GetProperty("rein_pid").GetInt32(),
                            e.GetProperty("rein_start").GetUInt64(),
                            DateTimeOffset.FromUnixTimeMilliseconds(
                                e.GetProperty("started_at").GetInt64()
                            ),
                            Str(e, "lock"),
                            Str(e, "model")
                        );
                        boot = new BootIdentity(
                            e.GetProperty("boot_id").GetString()!,
                            e.TryGetProperty("boot_time", out var bt)
                                ? DateTimeOffset.FromUnixTimeMilliseconds(bt.GetInt64())
                                : null
                        );
                        break;
                    case "child":
                        child = (
                            e.GetProperty("pid").GetInt32(),
                            e.GetProperty("start").GetUInt64(),
                            e.GetProperty("pgid").GetInt32()
                        );
                        break;
                    case "end" when start is not null:
                        end = ParseEnd(e, start.RunId);
                        break;
                }
            }
            catch (Exception ex)
                when (ex
                        is JsonException
                            or KeyNotFoundException
                            or InvalidOperationException
                            or FormatException
                ) { }
        }

        return new Entry(path, start, boot, child, end);
    }

    static RunVerdict ParseEnd(JsonElement e, string runId) =>
        new()
        {
            RunId = runId,
            Outcome =
                RunOutcomeNames.FromWire(e.GetProperty("outcome").GetString() ?? "")
                ?? RunOutcome.Exited,
            ExitCode = Int(e, "exit_code"),
            Signal = Int(e, "signal"),
            Duration = TimeSpan.FromMilliseconds(e.GetProperty("duration_ms").GetInt64()),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(
                e.GetProperty("started_at").GetInt64()
            ),
            PeakRssBytes = e.GetProperty("peak_rss").GetInt64(),
            ChildPid = e.GetProperty("child_pid").GetInt32(),
            PidsKilled =
            [
                .. e.GetProperty("pids_killed").EnumerateArray().Select(p => p.GetInt32()),
            ],
            Unkillable =
            [
                .. e.GetProperty("unkillable")
                    .EnumerateArray()
                    .Select(u => new UnkillableProcess(
                        u.GetProperty("pid").GetInt32(),
                        (u.GetProperty("state").GetString() ?? "?")[0],
                        u.GetProperty("command").GetString() ?? "",
                        u.GetProperty("start").GetUInt64()
                    )),
            ],
            StartFailure = e.TryGetProperty("start_errno", out var errno)
                ? new Processes.Posix.SpawnFailure(errno.GetInt32(), Str(e, "start_error") ?? "")
                : null,
            MemoryLimitBytes =
                e.TryGetProperty("memory_limit", out var m) && m.ValueKind == JsonValueKind.Number
                    ? m.GetInt64()
                    : null,
            CapMethod = Str(e, "cap_method"),
            PeakProcesses = e.TryGetProperty("peak_processes", out var pp) ? pp.GetInt32() : 0,
            Refusal = e.TryGetProperty("refusal", out var refusal)
                ? refusal.Deserialize(RefusalJsonContext.Default.Refusal)
                : null,
        };

    static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetInt32()
            : null;

    static void Nullable(Utf8JsonWriter w, string name, long? value)
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

    static string Line(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonOutput.Options(indented: false)))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
