using System.Text.Json;
using Rein.Config;
using Rein.Documents;
using Rein.Processes;

namespace Rein.Supervision;

/// <summary>
/// A supervision's state where another process (<c>rein ps</c>) can read it: <c>&lt;state&gt;/supervisions/ID.json</c>,
/// replaced atomically on every change and removed when supervision ends. Between incarnations there is no run to
/// show, so this is how "backing off until T" or "unkillable" stays visible. A file left by a supervisor that was
/// killed is recognised by its pid and start time and ignored (and removed) by readers.
/// </summary>
internal sealed class SupervisionStatusFile
{
    public const string Folder = "supervisions";

    readonly string _path;
    readonly SupervisorSpec _spec;
    readonly ulong _reinStart;
    readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    readonly Action<string>? _warn;
    readonly object _gate = new();
    bool _removed;
    bool _warned;

    SupervisionStatusFile(string path, SupervisorSpec spec, Action<string>? warn)
    {
        _path = path;
        _spec = spec;
        _warn = warn;
        _reinStart = ProcessTables.Current.Read(Environment.ProcessId)?.StartTime ?? 0;
    }

    public static SupervisionStatusFile? Create(SupervisorSpec spec, Action<string>? warn)
    {
        try
        {
            StateDirectory.Ensure(spec.Run.StateDirectory);
            var dir = StateDirectory.EnsureFolder(Path.Combine(spec.Run.StateDirectory, Folder));
            return new SupervisionStatusFile(
                Path.Combine(dir, spec.SupervisionId + ".json"),
                spec,
                warn
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warn?.Invoke($"cannot publish the supervision's state for rein ps: {e.Message}");
            return null;
        }
    }

    public void Write(Supervisor s, DateTimeOffset now)
    {
        var doc = new SupervisionStatusDocument(
            _spec.SupervisionId,
            Environment.ProcessId,
            _reinStart,
            _spec.Worker.Command,
            Wire(s.State),
            s.Incarnation,
            s.Restarts,
            s.WorkerRunId,
            s.WorkerPid == 0 ? null : s.WorkerPid,
            _startedAt,
            s.UpSince,
            s.BackoffUntil,
            now
        );
        lock (_gate)
        {
            if (_removed)
            {
                return;
            }

            try
            {
                StateFile.WriteAtomically(
                    _path,
                    JsonSerializer.Serialize(doc, ReinJsonContext.Compact.SupervisionStatusDocument)
                );
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!_warned)
                {
                    _warned = true;
                    _warn?.Invoke(
                        $"cannot publish the supervision's state for rein ps: {e.Message}"
                    );
                }
            }
        }
    }

    public void Remove()
    {
        lock (_gate)
        {
            _removed = true;
            try
            {
                File.Delete(_path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public static string Wire(SupervisionState state) =>
        state switch
        {
            SupervisionState.BackingOff => "backing_off",
            _ => state.ToString().ToLowerInvariant(),
        };

    /// <summary>The supervisions alive now (their supervisor's pid and start time still match); files of dead
    /// supervisors are removed.</summary>
    public static List<SupervisionStatusDocument> ReadAlive(
        string stateDirectory,
        IProcessTable table
    )
    {
        var dir = Path.Combine(stateDirectory, Folder);
        var alive = new List<SupervisionStatusDocument>();
        if (FileStatus.Of(dir, follow: false) is not { IsSymbolicLink: false })
        {
            return alive;
        }

        foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
        {
            SupervisionStatusDocument? doc;
            try
            {
                doc = StateFile.ReadAllText(file) is { } text
                    ? JsonSerializer.Deserialize(
                        text,
                        ReinJsonContext.Compact.SupervisionStatusDocument
                    )
                    : null;
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                doc = null; // not JSON, or not a regular file (a FIFO, a link): no supervision of ours
            }

            // A record without the fields a reader needs is skipped, never a failure of rein ps and rein doctor.
            if (
                doc is null
                || doc.SupervisionId is null
                || doc.Command is null
                || doc.Command.Any(a => a is null)
                || doc.State is null
            )
            {
                continue;
            }

            if (
                table.Read(doc.ReinPid) is { IsZombie: false } p
                && (doc.ReinStart == 0 || p.StartTime == doc.ReinStart)
            )
            {
                alive.Add(doc);
            }
            else
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException) { }
            }
        }

        return [.. alive.OrderBy(d => d.StartedAt)];
    }
}
