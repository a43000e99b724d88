using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary>Runs the real <c>rein supervise</c> over the C test helper, with an events file to read back.</summary>
public abstract class SuperviseTestBase : RunTestBase
{
    protected string EventsPath => Path.Combine(Scratch, "events.jsonl");

    protected string CrashFile => Path.Combine(Scratch, "crashes");

    /// <summary>rein supervise --events FILE [options] -- rein-testhelper MARKER script...</summary>
    protected IEnumerable<string> SuperviseArgs(
        IEnumerable<string> options,
        params string[] script
    ) => ["supervise", "--events", EventsPath, .. options, "--", Paths.Helper, Marker, .. script];

    protected List<JsonElement> Events()
    {
        if (!File.Exists(EventsPath))
        {
            return [];
        }

        var list = new List<JsonElement>();
        foreach (var line in File.ReadAllLines(EventsPath).Where(l => l.Length > 0))
        {
            try
            {
                list.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
            catch (JsonException) { } // a line being written right now
        }

        return list;
    }

    protected List<JsonElement> Events(string kind) =>
        [.. Events().Where(e => e.GetProperty("event").GetString() == kind)];

    protected bool WaitForEvents(string kind, int count, double seconds = 10) =>
        ProcessProbe.WaitUntil(() => Events(kind).Count >= count, TimeSpan.FromSeconds(seconds));

    private protected static void Term(ReinProcess rein) =>
        Rein.Platform.Posix.LibC.kill(rein.Pid, Rein.Platform.Posix.LibC.SIGTERM);
}
