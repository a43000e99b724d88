using Rein.Platform;

namespace Rein.Tests.Architecture;

/// <summary>
/// The library's namespaces form layers: code may use its own layer's namespace and any namespace of a lower layer,
/// never one above it, and never a different namespace of its own layer. Read from Rein.Core.dll's metadata and IL
/// (<see cref="NamespaceGraph"/>), so a fully qualified name, a using, an extension method or a constant all count
/// alike. Every P/Invoke lives in Rein.Platform.*.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Bottom first. A namespace is the first two parts of a type's namespace ("Rein" alone for the root
    /// types), so Rein.Processes.Linux is Rein.Processes.</summary>
    internal static readonly string[][] Layers =
    [
        ["Rein.Platform", "Rein.Cache", "Rein.Protect"],
        ["Rein", "Rein.Config"],
        ["Rein.Processes", "Rein.Containers"],
        ["Rein.Locking"],
        ["Rein.Running"],
        ["Rein.Journal", "Rein.Cadence"],
        ["Rein.Forensics", "Rein.Cleanup"],
        ["Rein.Models"],
        // Settings → a RunSpec and its gates (the --model ones included): above everything a run is built from.
        ["Rein.Supervision", "Rein.Export", "Rein.Setup"],
        ["Rein.Status", "Rein.Diagnostics"],
        ["Rein.Hooks", "Rein.Lint"],
        // The public documents: records of what every layer below produced (rein lint's included).
        ["Rein.Documents"],
    ];

    /// <summary>References that still point up (each closes a cycle); to be removed, never added to. Each is checked
    /// to still exist, so a fixed one must leave this list.</summary>
    internal static readonly (string From, string To, string Why)[] KnownUpward =
    [
        (
            "Rein.Running",
            "Rein.Journal",
            "GuardedRun/Admission build the journal's BreakerStore, SpoolRecorder, BootIdentity"
        ),
        (
            "Rein.Running",
            "Rein.Forensics",
            "Guard runs the failure classifier (Forensics.Classification)"
        ),
        (
            "Rein.Journal",
            "Rein.Forensics",
            "the journal stores breadcrumbs, panics and run failures"
        ),
        ("Rein.Journal", "Rein.Documents", "the spool's JSON context uses document types"),
        ("Rein.Forensics", "Rein.Documents", "the postmortem bundle writes documents"),
        ("Rein.Forensics", "Rein.Diagnostics", "the panic scanner uses Diagnostics.Parsers"),
        ("Rein.Supervision", "Rein.Documents", "the supervision status file is a document"),
        ("Rein.Status", "Rein.Documents", "the status file is a document"),
        ("Rein.Cadence", "Rein.Models", "the built-in cadence policies name model families"),
    ];

    static readonly Lazy<NamespaceGraph> Graph = new(() =>
        NamespaceGraph.Read(typeof(Descriptors).Assembly.Location)
    );

    internal static string TopLevel(string ns)
    {
        var parts = ns.Split('.');
        return parts.Length > 1 ? $"{parts[0]}.{parts[1]}" : ns;
    }

    /// <summary>Top-level namespace pairs (From uses To) with one example type each.</summary>
    internal static Dictionary<(string From, string To), string> TopLevelEdges(
        NamespaceGraph graph
    ) =>
        graph
            .Edges.Where(e => e.From.StartsWith("Rein", StringComparison.Ordinal))
            .Where(e => e.To.StartsWith("Rein", StringComparison.Ordinal))
            .Select(e => (From: TopLevel(e.From), To: TopLevel(e.To), Site: $"{e.From}.{e.Site}"))
            .Where(e => e.From != e.To)
            .GroupBy(e => (e.From, e.To))
            .ToDictionary(g => g.Key, g => g.First().Site);

    /// <summary>The violations of <paramref name="layers"/> among <paramref name="edges"/>, the known upward ones
    /// left out.</summary>
    internal static List<string> Violations(
        Dictionary<(string From, string To), string> edges,
        string[][] layers,
        IEnumerable<(string From, string To)> known
    )
    {
        var rank = layers
            .SelectMany((layer, i) => layer.Select(ns => (ns, i)))
            .ToDictionary(x => x.ns, x => x.i);
        var allowed = known.ToHashSet();
        var problems = new List<string>();
        foreach (var ((from, to), site) in edges.OrderBy(e => e.Key))
        {
            if (!rank.TryGetValue(from, out var fromRank))
            {
                problems.Add($"{from} is in no layer: add it to LayeringTests.Layers");
            }
            else if (!rank.TryGetValue(to, out var toRank))
            {
                problems.Add($"{to} is in no layer: add it to LayeringTests.Layers");
            }
            else if (toRank >= fromRank && !allowed.Contains((from, to)))
            {
                problems.Add(
                    $"{from} (layer {fromRank}) uses {to} (layer {toRank}), e.g. in {site}"
                );
            }
        }
        return [.. problems.Distinct()];
    }

    [Fact]
    public void Every_reference_points_down_the_layers()
    {
        var problems = Violations(
            TopLevelEdges(Graph.Value),
            Layers,
            KnownUpward.Select(k => (k.From, k.To))
        );
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_known_upward_references_still_exist()
    {
        var edges = TopLevelEdges(Graph.Value);
        var gone = KnownUpward.Where(k => !edges.ContainsKey((k.From, k.To))).ToList();
        Assert.True(
            gone.Count == 0,
            "fixed, remove from KnownUpward: "
                + string.Join(", ", gone.Select(k => $"{k.From} -> {k.To}"))
        );
    }

    /// <summary>The core chain has no exception: Platform ← Processes ← Running ← Supervision.</summary>
    [Fact]
    public void The_core_chain_has_no_upward_reference()
    {
        string[] chain = ["Rein.Platform", "Rein.Processes", "Rein.Running", "Rein.Supervision"];
        var edges = TopLevelEdges(Graph.Value);
        var up = edges
            .Where(e =>
                Array.IndexOf(chain, e.Key.From) is var f and >= 0
                && Array.IndexOf(chain, e.Key.To) is var t
                && t > f
            )
            .Select(e => $"{e.Key.From} uses {e.Key.To}, e.g. in {e.Value}")
            .ToList();
        Assert.True(up.Count == 0, string.Join('\n', up));
        Assert.DoesNotContain(
            KnownUpward,
            k => k.From is "Rein.Platform" or "Rein.Processes" && k.To != k.From
        );
    }

    [Fact]
    public void Platform_uses_no_other_rein_namespace()
    {
        var uses = TopLevelEdges(Graph.Value)
            .Where(e => e.Key.From == "Rein.Platform")
            .Select(e => $"{e.Key.To}, e.g. in {e.Value}")
            .ToList();
        Assert.True(uses.Count == 0, string.Join('\n', uses));
    }

    [Fact]
    public void Every_pinvoke_is_in_Rein_Platform()
    {
        var graph = Graph.Value;
        Assert.NotEmpty(graph.PInvokes); // the reader sees them at all
        var outside = graph
            .PInvokes.Where(p =>
                p.Namespace != "Rein.Platform"
                && !p.Namespace.StartsWith("Rein.Platform.", StringComparison.Ordinal)
            )
            .Select(p => $"{p.Namespace}.{p.Method}")
            .ToList();
        Assert.True(outside.Count == 0, string.Join('\n', outside));
    }

    /// <summary>The reader itself: it sees references between types of the one assembly (tokens in method bodies,
    /// not TypeRefs), and a layer table that puts Processes above Running is broken by them.</summary>
    [Fact]
    public void The_reader_sees_references_inside_the_assembly()
    {
        var edges = TopLevelEdges(Graph.Value);
        Assert.Contains(("Rein.Running", "Rein.Processes"), edges.Keys);
        Assert.Contains(("Rein.Processes", "Rein.Platform"), edges.Keys);
        string[][] upsideDown =
        [
            ["Rein.Running"],
            ["Rein.Processes"],
        ];
        Assert.Contains(
            Violations(edges, upsideDown, []),
            v =>
                v.StartsWith("Rein.Running (layer 0) uses Rein.Processes", StringComparison.Ordinal)
        );
    }
}
