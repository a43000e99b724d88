using System.Text;
using System.Text.Json;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Journal;

/// <summary>
/// The journal's write-ahead spool: <c>&lt;state&gt;/spool/RUN_ID.run</c>, one JSON line per life-cycle event
/// (start, child, procs, end). A guarded run writes here instead of opening SQLite — creating one small file and two
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
        Line(
            new SpoolStart(
                s.RunId,
                [.. s.Command],
                s.WorkingDirectory,
                s.User,
                s.ReinPid,
                s.ReinStartTime,
                boot.BootId,
                boot.BootTime?.ToUnixTimeMilliseconds(),
                s.StartedAt.ToUnixTimeMilliseconds(),
                s.LockLabel,
                s.ModelLabel,
                s.Supervision?.SupervisionId,
                s.Supervision?.Attempt,
                s.Supervision?.RestartReason,
                boot.PidNamespace,
                s.ReinVersion
            ),
            SpoolWriteJsonContext.Default.SpoolStart
        );

    public static string ChildLine(int pid, ulong startTime, int processGroup) =>
        Line(
            new SpoolChild(pid, startTime, processGroup),
            SpoolWriteJsonContext.Default.SpoolChild
        );

    public static string ProcessesLine(IReadOnlyList<(int Pid, ulong Start)> processes) =>
        Line(
            new SpoolProcesses(
                [.. processes.Select(p => p.Pid)],
                [.. processes.Select(p => p.Start)]
            ),
            SpoolWriteJsonContext.Default.SpoolProcesses
        );

    public static string GrowthLine(GrowthWarning g) =>
        Line(
            new SpoolGrowth(Documents.GrowthDocument.From(g, stopped: false)),
            SpoolWriteJsonContext.Default.SpoolGrowth
        );

    public static string EndLine(RunVerdict v) =>
        Line(
            new SpoolEnd(
                v.Outcome.ToWire(),
                v.ExitCode,
                v.Signal,
                (long)v.Duration.TotalMilliseconds,
                v.StartedAt.ToUnixTimeMilliseconds(),
                v.PeakRssBytes,
                v.ChildPid,
                [.. v.PidsKilled],
                [.. v.Unkillable.Select(Documents.UnkillableDocument.From)],
                v.StartFailure?.Errno,
                v.StartFailure?.Message,
                v.MemoryLimitBytes,
                v.CapMethod,
                v.PeakProcesses,
                v.Refusal,
                v.Failure,
                v.Growth is { } g ? Documents.GrowthDocument.From(g, v.StoppedForGrowth) : null,
                v.StartFailure?.Code
            ),
            SpoolWriteJsonContext.Default.SpoolEnd
        );

    /// <summary>What one spool file holds so far.</summary>
    public sealed record Entry(
        string Path,
        RunStart? Start,
        BootIdentity? Boot,
        (int Pid, ulong Start, int Pgid)? Child,
        RunVerdict? End
    )
    {
        /// <summary>Members the guard recorded (pid + start time), in the order seen.</summary>
        public IReadOnlyList<(int Pid, ulong Start)> Processes { get; init; } = [];

        /// <summary>The growth warning, once the guard gave it (the end, when there is one, has it too).</summary>
        public Documents.GrowthDocument? Growth { get; init; }
    }

    /// <summary>Parses a spool file. Lines that do not parse (a write cut short) are skipped.</summary>
    public static Entry Parse(string path, string text)
    {
        RunStart? start = null;
        BootIdentity? boot = null;
        (int, ulong, int)? child = null;
        RunVerdict? end = null;
        Documents.GrowthDocument? growth = null;
        var processes = new List<(int, ulong)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                switch (e.GetProperty("t").GetString())
                {
                    case "start":
                        var st = e.Deserialize(SpoolJsonContext.Default.SpoolStart)!;
                        if (
                            st.RunId is not { Length: > 0 }
                            || st.Command is not { Length: > 0 }
                            || st.Command.Any(a => a is null)
                            || st.Cwd is null
                            || st.User is null
                            || st.BootId is not { Length: > 0 }
                            || !Has(e, "rein_pid", "started_at")
                        )
                        {
                            throw new FormatException("a start line without its required fields");
                        }

                        start = new RunStart(
                            st.RunId,
                            st.Command,
                            st.Cwd,
                            st.User,
                            st.ReinPid,
                            st.ReinStart,
                            DateTimeOffset.FromUnixTimeMilliseconds(st.StartedAt),
                            st.Lock,
                            st.Model,
                            st.Sup is { } sup
                                ? new Running.SupervisionLink(sup, st.Attempt ?? 0, st.Reason)
                                : null,
                            st.Version
                        );
                        boot = new BootIdentity(
                            st.BootId,
                            st.BootTime is { } bt
                                ? DateTimeOffset.FromUnixTimeMilliseconds(bt)
                                : null,
                            st.PidNs
                        );
                        break;
                    case "child":
                        var c = e.Deserialize(SpoolJsonContext.Default.SpoolChild)!;
                        if (!Has(e, "pid", "start"))
                        {
                            throw new FormatException("a child line without pid and start");
                        }

                        child = (c.Pid, c.Start, c.Pgid);
                        break;
                    case "procs":
                        var ps = e.Deserialize(SpoolJsonContext.Default.SpoolProcesses)!;
                        if (ps.Pids is null || ps.Starts is null)
                        {
                            throw new FormatException("a procs line without pids and starts");
                        }

                        for (var i = 0; i < Math.Min(ps.Pids.Length, ps.Starts.Length); i++)
                        {
                            processes.Add((ps.Pids[i], ps.Starts[i]));
                        }

                        break;
                    case "growth":
                        var g = e.Deserialize(SpoolJsonContext.Default.SpoolGrowth)!;
                        if (
                            g.Growth?.Limit is null
                            || !Has(e.GetProperty("growth"), "bytes_per_second", "limit_bytes")
                        )
                        {
                            throw new FormatException("a growth line without its required fields");
                        }

                        growth = g.Growth;
                        break;
                    case "end" when start is not null:
                        var en = e.Deserialize(SpoolJsonContext.Default.SpoolEnd)!;
                        if (
                            en.Outcome is null
                            || en.PidsKilled is null
                            || en.Unkillable is null
                            || en.Unkillable.Any(u => u is null)
                            || !Has(e, "duration_ms", "started_at")
                        )
                        {
                            throw new FormatException("an end line without its required fields");
                        }

                        end = en.ToVerdict(start.RunId);
                        break;
                }
            }
            catch (Exception ex)
                when (ex
                        is JsonException
                            or KeyNotFoundException
                            or InvalidOperationException
                            or FormatException
                            or NullReferenceException
                            or ArgumentException
                            or OverflowException
                ) { }
        }

        return new Entry(path, start, boot, child, end) { Processes = processes, Growth = growth };
    }

    /// <summary>Is a guard still holding the run's spool file? The recorder holds a shared flock on it for the
    /// run's life (released when the guard ends, however it ends: the kernel drops the lock with the last
    /// descriptor). A guard in another pid namespace is seen alive this way, where its pid means nothing.</summary>
    public static bool Held(string path)
    {
        if (OpenQuietly(path) is not { } fd)
        {
            return false;
        }

        try
        {
            return Platform.Posix.LibC.flock(
                    fd,
                    Platform.Posix.LibC.LOCK_EX | Platform.Posix.LibC.LOCK_NB
                ) != 0;
        }
        finally
        {
            Platform.Posix.LibC.close(fd); // drops the probe's lock, if it got one
        }
    }

    /// <summary>Deletes a spool file only when no guard holds it (an exclusive non-blocking flock succeeds): what
    /// a live guard would still append — its real end — is never lost. False: held, or already gone.</summary>
    public static bool DeleteIfUnheld(string path)
    {
        if (OpenQuietly(path) is not { } fd)
        {
            return false;
        }

        try
        {
            if (
                Platform.Posix.LibC.flock(
                    fd,
                    Platform.Posix.LibC.LOCK_EX | Platform.Posix.LibC.LOCK_NB
                ) != 0
            )
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            Platform.Posix.LibC.close(fd);
        }
    }

    /// <summary>The spool file opened as a state file; null when it is gone, or is not a regular file of ours (a
    /// link or FIFO planted there is no guard's, and the importer moves it aside).</summary>
    static int? OpenQuietly(string path)
    {
        try
        {
            return Config.StateFile.OpenExisting(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    static bool Has(JsonElement e, params string[] names) =>
        names.All(n => e.TryGetProperty(n, out var v) && v.ValueKind is not JsonValueKind.Null);

    static string Line<T>(T record, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Serialize(record, type) + "\n";
}
