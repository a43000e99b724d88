using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rein.Running;

namespace Rein.Journal;

/// <summary>The retry breaker's memory: how the last run of one command (argv + directory) ended, when that end
/// should keep it from running again.</summary>
public sealed record BreakerRecord(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("command")] string[] Command,
    [property: JsonPropertyName("cwd")] string WorkingDirectory,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("ended_at")] DateTimeOffset EndedAt,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("unkillable")] bool Unkillable
)
{
    /// <summary>For people: shell-quoted, control characters escaped.</summary>
    public string CommandLine => CommandText.Join(Command);
}

[JsonSerializable(typeof(BreakerRecord))]
internal sealed partial class BreakerJsonContext : JsonSerializerContext { }

/// <summary>
/// One small file per command under <c>&lt;state&gt;/breaker/</c>, named by a hash of the directory and argv.
/// Written when a run ends in a way that trips the breaker, removed when the command's next run ends well — so
/// admission reads one file instead of querying the journal on every run.
/// </summary>
public sealed class BreakerStore(string stateDirectory)
{
    string Folder => Path.Combine(stateDirectory, "breaker");

    string FileFor(IReadOnlyList<string> command, string cwd)
    {
        // Two FNV-1a passes make a 128-bit file name. Not cryptographic (SHA-256 would load OpenSSL on every run);
        // a collision is harmless because Read compares the stored directory and argv.
        var bytes = Encoding.UTF8.GetBytes(cwd + "\0" + string.Join("\0", command));
        return Path.Combine(
            Folder,
            $"{Fnv1a(bytes, 14695981039346656037UL):x16}{Fnv1a(bytes, 7809847782465536322UL):x16}.json"
        );
    }

    static ulong Fnv1a(ReadOnlySpan<byte> data, ulong hash)
    {
        foreach (var b in data)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    public BreakerRecord? Read(IReadOnlyList<string> command, string cwd)
    {
        // Never through a link (a link, a FIFO or another user's file here is refused: see StateFile), and such a
        // file is no record: it must not keep the command from running.
        string? text;
        try
        {
            text = Config.StateFile.ReadAllText(FileFor(command, cwd));
        }
        catch (IOException)
        {
            return null;
        }

        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize(text, BreakerJsonContext.Default.BreakerRecord);
            // A hash collision must not block another command.
            return
                record is { Command: not null, WorkingDirectory: not null }
                && record.WorkingDirectory == cwd
                && record.Command.SequenceEqual(command)
                ? record
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Remembers how this run ended: trips the breaker for a timeout, an idle stop or unkillable leftovers, and
    /// clears it for any other end.</summary>
    public void Record(IReadOnlyList<string> command, string cwd, RunVerdict v)
    {
        var path = FileFor(command, cwd);
        var trips =
            v.Outcome is RunOutcome.TimedOut or RunOutcome.IdleTimeout || v.Unkillable.Count > 0;
        try
        {
            if (!trips)
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }

                return;
            }

            Config.StateDirectory.Ensure(stateDirectory);
            Config.StateDirectory.EnsureFolder(Folder);
            var record = new BreakerRecord(
                v.RunId,
                [.. command],
                cwd,
                v.Outcome.ToWire(),
                v.StartedAt + v.Duration,
                (long)v.Duration.TotalMilliseconds,
                v.Unkillable.Count > 0
            );
            // Readers see the old record or the new one, never half of one; 0600, never through a link.
            Config.StateFile.WriteAtomically(
                path,
                JsonSerializer.Serialize(record, BreakerJsonContext.Default.BreakerRecord)
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
