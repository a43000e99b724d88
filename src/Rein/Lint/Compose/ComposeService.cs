using System.Text.RegularExpressions;

namespace Rein.Lint.Compose;

/// <summary>A memory value found in a service: the bytes when known, or why not.</summary>
public sealed record ComposeMemory(
    string Key,
    string Raw,
    string File,
    int Line,
    long? Bytes,
    bool Invalid
);

/// <summary>A tmpfs mount: its path and size (null: no size, up to half the memory by default).</summary>
public sealed record ComposeTmpfs(string Target, long? Bytes, string File, int Line);

/// <summary>What the linter reads from one merged service.</summary>
public sealed partial class ComposeService
{
    static readonly HashSet<string> ComputeWords =
    [
        "python",
        "python3",
        "pytorch",
        "torch",
        "tensorflow",
        "jupyter",
        "node",
        "nodejs",
        "java",
        "jdk",
        "jre",
        "openjdk",
        "temurin",
        "spark",
        "ollama",
        "vllm",
        "triton",
        "llama",
        "whisper",
        "worker",
        "pipeline",
        "celery",
        "postgres",
        "postgresql",
        "postgis",
        "mysql",
        "mariadb",
        "mongo",
        "mongodb",
        "elasticsearch",
        "opensearch",
        "clickhouse",
        "redis",
        "kafka",
        "dhis2",
        "julia",
        "rstudio",
        "uvicorn",
        "gunicorn",
        "dotnet",
    ];

    [GeneratedRegex(@"-Xmx(\d+(?:\.\d+)?[kKmMgGtT]?)")]
    private static partial Regex Xmx();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonWord();

    readonly Func<string, string?> _env;

    public ComposeService(
        string name,
        string file,
        int line,
        ComposeMap config,
        Func<string, string?> env
    )
    {
        Name = name;
        File = file;
        Line = line;
        Config = config;
        _env = env;
    }

    public string Name { get; }

    public string File { get; }

    public int Line { get; }

    public ComposeMap Config { get; }

    /// <summary><c>mem_limit</c> and <c>deploy.resources.limits.memory</c>, those that are set.</summary>
    public IReadOnlyList<ComposeMemory> Limits =>
        [
            .. new[]
            {
                ("mem_limit", Config["mem_limit"]),
                (
                    "deploy.resources.limits.memory",
                    Config.At("deploy", "resources", "limits", "memory")
                ),
            }
                .Where(p => p.Item2 is ComposeScalar { Value: not null })
                .Select(p => Memory(p.Item1, (ComposeScalar)p.Item2!)),
        ];

    /// <summary>The effective limit: the smaller of the known ones (both apply).</summary>
    public long? LimitBytes => Limits.Where(l => l.Bytes is not null).Select(l => l.Bytes).Min();

    public bool Unbounded => Limits.Count == 0;

    ComposeMemory Memory(string key, ComposeScalar node)
    {
        var raw = node.Value!;
        if (ComposeValues.Interpolate(raw, _env) is not { } text)
        {
            return new ComposeMemory(key, raw, node.File, node.Line, null, Invalid: false);
        }

        return ComposeValues.TryParseBytes(text, out var bytes) && bytes > 0
            ? new ComposeMemory(key, raw, node.File, node.Line, bytes, Invalid: false)
            : new ComposeMemory(key, raw, node.File, node.Line, null, Invalid: true);
    }

    /// <summary>Why the service looks like it runs computation (the documented heuristic), or null: it builds
    /// an image, or its image, command or entrypoint names an interpreter, a runtime, a worker or a database.</summary>
    public string? Computation()
    {
        if (Config["build"] is { } build && build is not ComposeScalar { Value: null })
        {
            return "builds an image";
        }

        foreach (var key in new[] { "command", "entrypoint", "image" })
        {
            var text = Text(Config[key]).ToLowerInvariant();
            var word = NonWord().Split(text).FirstOrDefault(ComputeWords.Contains);
            if (word is not null)
            {
                return $"its {key} names {word}";
            }
        }

        return null;
    }

    public string? Restart => (Config["restart"] as ComposeScalar)?.Value;

    /// <summary>tmpfs mounts: the <c>tmpfs</c> key (<c>/run:size=64m</c>) and tmpfs volumes (<c>tmpfs.size</c>).</summary>
    public IReadOnlyList<ComposeTmpfs> Tmpfs()
    {
        var mounts = new List<ComposeTmpfs>();
        var shortSyntax = Config["tmpfs"] switch
        {
            ComposeScalar s when s.Value is not null => [s],
            ComposeSequence q => q.Items.OfType<ComposeScalar>().Where(s => s.Value is not null),
            _ => [],
        };
        foreach (var s in shortSyntax)
        {
            var parts = s.Value!.Split(':', 2);
            long? size = null;
            if (parts.Length == 2)
            {
                foreach (var option in parts[1].Split(','))
                {
                    if (
                        option.StartsWith("size=", StringComparison.Ordinal)
                        && ComposeValues.TryParseBytes(option[5..], out var b)
                    )
                    {
                        size = b;
                    }
                }
            }

            mounts.Add(new ComposeTmpfs(parts[0], size, s.File, s.Line));
        }

        foreach (var v in (Config["volumes"] as ComposeSequence)?.Items.OfType<ComposeMap>() ?? [])
        {
            if ((v["type"] as ComposeScalar)?.Value != "tmpfs")
            {
                continue;
            }

            long? size = null;
            if (
                v.At("tmpfs", "size") is ComposeScalar { Value: { } raw }
                && ComposeValues.Interpolate(raw, _env) is { } text
                && ComposeValues.TryParseBytes(text, out var b)
            )
            {
                size = b;
            }

            mounts.Add(
                new ComposeTmpfs((v["target"] as ComposeScalar)?.Value ?? "?", size, v.File, v.Line)
            );
        }

        return mounts;
    }

    /// <summary>The largest JVM heap (<c>-Xmx</c>) in the environment, command or entrypoint.</summary>
    public (string Flag, long Bytes, string File, int Line)? JvmHeap()
    {
        var sources = new List<(string Text, string File, int Line)>();
        switch (Config["environment"])
        {
            case ComposeMap env:
                sources.AddRange(env.Entries.Select(e => (Text(e.Value), e.Value.File, e.KeyLine)));
                break;
            case ComposeSequence list:
                sources.AddRange(list.Items.Select(i => (Text(i), i.File, i.Line)));
                break;
        }

        foreach (var key in new[] { "command", "entrypoint" })
        {
            if (Config[key] is { } node)
            {
                sources.Add((Text(node), node.File, node.Line));
            }
        }

        (string, long, string, int)? largest = null;
        foreach (var (text, file, line) in sources)
        {
            foreach (Match m in Xmx().Matches(ComposeValues.Interpolate(text, _env) ?? text))
            {
                if (
                    ComposeValues.TryParseBytes(m.Groups[1].Value, out var bytes)
                    && bytes > (largest?.Item2 ?? 0)
                )
                {
                    largest = (m.Value, bytes, file, line);
                }
            }
        }

        return largest;
    }

    static string Text(ComposeNode? node) =>
        node switch
        {
            ComposeScalar s => s.Value ?? "",
            ComposeSequence q => string.Join(' ', q.Items.Select(Text)),
            ComposeMap m => string.Join(' ', m.Entries.Select(e => $"{e.Key}={Text(e.Value)}")),
            _ => "",
        };
}
