using System.Globalization;
using System.Text.Json;

namespace Rein.Containers;

/// <summary>
/// At a run's end, stops the containers it started — the members of the run that live outside its process tree.
/// A container is the run's when it carries <c>rein.run=RUN_ID</c>, or when it belongs to a compose project run
/// from the run's folder (or below it) and was started after the run began: compose labels every container with
/// its project's folder. Nothing else is touched: not a container some other terminal started, not a compose
/// project elsewhere. Each is stopped as <c>docker stop -t GRACE</c> would (its stop signal, then SIGKILL after
/// the grace), all at once.
/// </summary>
public static class ContainerSweep
{
    const string ComposeFolderLabel = "com.docker.compose.project.working_dir";

    /// <summary>A start this far before the run's own counts as the run's: the daemon's clock may lag ours a little
    /// (on macOS it is a VM's), while a container the run starts comes a client's start-up after the run's.</summary>
    static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(250);

    /// <summary>Finds and stops the run's running containers. Never throws for the daemon's sake: a daemon that
    /// cannot be reached is the result's <see cref="ContainerSweepResult.Problem"/>.</summary>
    /// <param name="runFolders">The run's folder as the kernel and as the shell name it (<c>$PWD</c> through a
    /// symlink): compose records the latter.</param>
    /// <param name="compose">Also take compose projects of the run's folders (the run's command is compose, or
    /// <c>--containers on</c>); otherwise only labelled containers. Never for the root or the home folder, whose
    /// subtree is everything.</param>
    public static ContainerSweepResult Stop(
        ContainerApi api,
        string runId,
        IReadOnlyList<string> runFolders,
        bool compose,
        DateTimeOffset startedAt,
        TimeSpan grace
    )
    {
        var ask = grace + TimeSpan.FromSeconds(10);
        List<(string Id, string Name, string Image, string By)> found;
        try
        {
            var home = Path.TrimEndingDirectorySeparator(
                Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : "/"
            );
            var folders = compose
                ? runFolders
                    .Select(Path.TrimEndingDirectorySeparator)
                    .Where(f => f.Length > 0 && f != "/" && f != home)
                    .ToList()
                : [];
            found = Find(api, runId, folders, startedAt, ask);
        }
        catch (ContainerApiException e)
        {
            return new ContainerSweepResult([], e.Message);
        }

        var seconds = (int)Math.Ceiling(Math.Max(0, grace.TotalSeconds));
        var stops = found
            .Select(c =>
                Task.Factory.StartNew(
                    () =>
                    {
                        try
                        {
                            var (status, body) = api.Send(
                                "POST",
                                $"/containers/{c.Id}/stop?t={seconds}",
                                ask
                            );
                            return status switch
                            {
                                204 => new RunContainer(c.Id, c.Name, c.Image, c.By, true, null),
                                304 or 404 => new RunContainer(
                                    c.Id,
                                    c.Name,
                                    c.Image,
                                    c.By,
                                    false,
                                    null
                                ),
                                _ => new RunContainer(
                                    c.Id,
                                    c.Name,
                                    c.Image,
                                    c.By,
                                    false,
                                    $"the daemon answered {status}: {Message(body)}"
                                ),
                            };
                        }
                        catch (ContainerApiException e)
                        {
                            return new RunContainer(c.Id, c.Name, c.Image, c.By, false, e.Message);
                        }
                    },
                    CancellationToken.None,
                    // A thread each, at once: the pool would start them one by one while each stop waits the grace.
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default
                )
            )
            .ToArray();
        Task.WaitAll(stops);
        return new ContainerSweepResult([.. stops.Select(s => s.Result)], null);
    }

    static List<(string, string, string, string)> Find(
        ContainerApi api,
        string runId,
        IReadOnlyList<string> runFolders,
        DateTimeOffset startedAt,
        TimeSpan ask
    )
    {
        var found = new List<(string, string, string, string)>();
        foreach (var c in List(api, $"{ContainerCommand.RunLabel}={runId}", ask))
        {
            found.Add((c.Id, c.Name, c.Image, "label"));
        }

        if (runFolders.Count == 0)
        {
            return found;
        }

        foreach (var c in List(api, ComposeFolderLabel, ask))
        {
            if (
                found.Any(f => f.Item1 == c.Id)
                || !c.Labels.TryGetValue(ComposeFolderLabel, out var folder)
                || !runFolders.Any(r => Within(folder, r))
                || StartedAt(api, c.Id, ask) is not { } started
                || started < startedAt - ClockSlack
            )
            {
                continue;
            }

            found.Add((c.Id, c.Name, c.Image, "compose"));
        }

        return found;
    }

    /// <summary>The running containers that carry this label (<c>KEY</c> or <c>KEY=VALUE</c>).</summary>
    static List<ListedContainer> List(ContainerApi api, string label, TimeSpan ask)
    {
        var filters = $"{{\"label\":[\"{JsonEncodedText.Encode(label)}\"]}}";
        var (status, body) = api.Send(
            "GET",
            "/containers/json?filters=" + Uri.EscapeDataString(filters),
            ask
        );
        return status == 200
            ? ParseList(body)
            : throw new ContainerApiException(
                $"listing containers: the daemon answered {status}: {Message(body)}"
            );
    }

    /// <summary>A container as <c>GET /containers/json</c> lists it.</summary>
    public sealed record ListedContainer(
        string Id,
        string Name,
        string Image,
        IReadOnlyDictionary<string, string> Labels
    );

    /// <summary>Reads the daemon's container list (an array of objects with Id, Names, Image, Labels); what is not
    /// such an object is skipped.</summary>
    public static List<ListedContainer> ParseList(byte[] json)
    {
        var list = new List<ListedContainer>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ContainerApiException("the container list is not a JSON array");
            }

            foreach (var c in doc.RootElement.EnumerateArray())
            {
                if (
                    c.ValueKind != JsonValueKind.Object
                    || !c.TryGetProperty("Id", out var id)
                    || id.ValueKind != JsonValueKind.String
                )
                {
                    continue;
                }

                var name =
                    c.TryGetProperty("Names", out var names)
                    && names.ValueKind == JsonValueKind.Array
                    && names.GetArrayLength() > 0
                    && names[0].ValueKind == JsonValueKind.String
                        ? names[0].GetString()!.TrimStart('/')
                        : "";
                var image =
                    c.TryGetProperty("Image", out var i) && i.ValueKind == JsonValueKind.String
                        ? i.GetString()!
                        : "";
                var labels = new Dictionary<string, string>();
                if (c.TryGetProperty("Labels", out var l) && l.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in l.EnumerateObject())
                    {
                        if (p.Value.ValueKind == JsonValueKind.String)
                        {
                            labels[p.Name] = p.Value.GetString()!;
                        }
                    }
                }

                list.Add(new ListedContainer(id.GetString()!, name, image, labels));
            }
        }
        catch (JsonException e)
        {
            throw new ContainerApiException($"the container list is not JSON: {e.Message}");
        }

        return list;
    }

    /// <summary>When the container last started (<c>State.StartedAt</c>); null when it cannot be read.</summary>
    static DateTimeOffset? StartedAt(ContainerApi api, string id, TimeSpan ask)
    {
        var (status, body) = api.Send("GET", $"/containers/{id}/json", ask);
        if (status != 200)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            return
                doc.RootElement.TryGetProperty("State", out var state)
                && state.TryGetProperty("StartedAt", out var at)
                && at.ValueKind == JsonValueKind.String
                ? ParseTime(at.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An RFC 3339 time with up to nanoseconds (Go's), which .NET reads only to 7 fraction digits.</summary>
    public static DateTimeOffset? ParseTime(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = text[..(dot + 8)] + text[end..];
            }
        }

        return DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal,
            out var t
        )
            ? t
            : null;
    }

    /// <summary>The folder is the run's or under it (compared as full paths, by whole names).</summary>
    static bool Within(string folder, string runFolder)
    {
        var f = Path.TrimEndingDirectorySeparator(folder);
        var r = Path.TrimEndingDirectorySeparator(runFolder);
        return f == r || f.StartsWith(r + "/", StringComparison.Ordinal);
    }

    /// <summary>The daemon's error message (<c>{"message": …}</c>), one line, or the first bytes of the body.</summary>
    static string Message(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (
                doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("message", out var m)
                && m.ValueKind == JsonValueKind.String
            )
            {
                return CommandText.Escape(m.GetString()!);
            }
        }
        catch (JsonException) { }

        return CommandText.Escape(
            System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).Trim()
        );
    }
}
