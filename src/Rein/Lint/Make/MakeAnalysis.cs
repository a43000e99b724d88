namespace Rein.Lint.Make;

internal enum SiteKind
{
    /// <summary>Expanded while make reads the makefile: every invocation, make -n and make help included.</summary>
    ParseTime,

    /// <summary>Expanded when the recipe of its targets runs (or is printed by make -n).</summary>
    Recipe,

    /// <summary>The value of a recursive variable: expanded wherever the variable is.</summary>
    Deferred,
}

/// <summary>A piece of makefile text and when make expands it.</summary>
internal sealed record Expansion(
    MakeText Text,
    SiteKind Kind,
    string Where,
    MakeAssignment? Variable = null,
    IReadOnlyList<string>? Targets = null,
    bool WholeIsShell = false
);

/// <summary>Where a recursive variable ends up expanded, directly or through other recursive variables.</summary>
internal sealed class Reach
{
    public (Expansion Site, int Line)? ParseTime { get; set; }

    public HashSet<Expansion> RecipeLines { get; } = new(ReferenceEqualityComparer.Instance);

    public bool Exported { get; set; }

    public void Merge(Reach other)
    {
        ParseTime ??= other.ParseTime;
        RecipeLines.UnionWith(other.RecipeLines);
        Exported |= other.Exported;
    }
}

/// <summary>
/// Classifies every <c>$(shell ...)</c> of a makefile by when GNU Make runs it. Simple assignments
/// (<c>:=</c>, <c>::=</c>, <c>:::=</c>, <c>+=</c> to a simple variable, target-specific ones too), <c>!=</c>,
/// rule targets and prerequisites (also inside <c>$(if ...)</c>), conditionals, include lines and top-level
/// expansions run while make reads the makefile. A recursive variable (<c>=</c>, <c>?=</c>, <c>define</c>) runs
/// its shell each time it is expanded: at parse time when a parse-time text references it (directly or through
/// other recursive variables), for every recipe when it is exported, else only in the recipes that use it.
/// Recipe lines run only with their target's recipe.
/// </summary>
internal sealed partial class MakeAnalysis
{
    /// <summary>From this many recipe lines on, a deferred shell is worth an info: it runs once per line.</summary>
    public const int ManyReferences = 3;

    readonly List<Expansion> _expansions = [];
    readonly Dictionary<string, bool> _simple = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    readonly HashSet<string> _exported = new(StringComparer.Ordinal);
    readonly Dictionary<string, (Expansion, int)> _parseSites = new(StringComparer.Ordinal);
    readonly Dictionary<string, HashSet<Expansion>> _recipeSites = new(StringComparer.Ordinal);
    readonly Dictionary<string, HashSet<string>> _referencedBy = new(StringComparer.Ordinal);
    readonly Dictionary<string, Reach> _reach = new(StringComparer.Ordinal);
    readonly HashSet<string> _visiting = new(StringComparer.Ordinal);
    readonly List<(Expansion Expansion, MakeExpansion Scan)> _scanned = [];
    bool _exportAll;

    public MakeAnalysis(IReadOnlyList<MakeStatement> statements, string makefileName)
    {
        foreach (var statement in statements)
        {
            Read(statement, makefileName);
        }

        foreach (var expansion in _expansions)
        {
            var scan = MakeExpansion.Of(expansion.Text.Text);
            if (expansion.WholeIsShell)
            {
                scan.Shells.Insert(0, new ShellCall(0, expansion.Text.Text));
            }

            _scanned.Add((expansion, scan));
            foreach (var (name, offset) in scan.Variables)
            {
                switch (expansion.Kind)
                {
                    case SiteKind.ParseTime:
                        _parseSites.TryAdd(name, (expansion, expansion.Text.LineAt(offset)));
                        break;
                    case SiteKind.Recipe:
                        Add(_recipeSites, name, expansion);
                        break;
                    default:
                        Add(_referencedBy, name, expansion.Variable!.Name);
                        break;
                }
            }
        }
    }

    /// <summary>Recipe lines that call make again on this makefile.</summary>
    public int RecursiveMakeCalls { get; private set; }

    public IReadOnlyList<(Expansion Expansion, MakeExpansion Scan)> Scanned => _scanned;

    public string? ValueOf(string name) => _values.GetValueOrDefault(name);

    void Read(MakeStatement statement, string makefileName)
    {
        switch (statement)
        {
            case MakeAssignment a:
                Assign(a);
                break;
            case MakeRule r:
                var targets = string.Join(' ', r.Targets);
                if (r.TargetText.Text.Contains('$', StringComparison.Ordinal))
                {
                    _expansions.Add(new(r.TargetText, SiteKind.ParseTime, "the targets of a rule"));
                }

                _expansions.Add(
                    new(r.Prerequisites, SiteKind.ParseTime, $"the prerequisites of `{targets}`")
                );
                break;
            case MakeRecipeLine line:
                _expansions.Add(new(line.Text, SiteKind.Recipe, "a recipe", Targets: line.Targets));
                RecursiveMakeCalls += MakeRecursion.CallsIn(line.Text.Text, makefileName);
                break;
            case MakeParseTimeText text:
                _expansions.Add(new(text.Text, SiteKind.ParseTime, text.Where));
                break;
            case MakeInclude include:
                _expansions.Add(new(include.Names, SiteKind.ParseTime, "an include line"));
                break;
            case MakeExport { Names.Count: 0 } all:
                _exportAll = all.Export;
                break;
            case MakeExport some:
                foreach (var name in some.Names)
                {
                    if (some.Export)
                    {
                        _exported.Add(name);
                    }
                    else
                    {
                        _exported.Remove(name);
                    }
                }

                break;
        }
    }

    void Assign(MakeAssignment a)
    {
        var defined = _simple.TryGetValue(a.Name, out var wasSimple);
        if (a.Operator == "?=" && defined && a.ForTargets is null)
        {
            // Already set by the makefile: make never expands this value.
            return;
        }

        var simple = a.Operator switch
        {
            ":=" or "::=" or ":::=" or "!=" => true,
            "+=" => defined && wasSimple,
            _ => false,
        };
        if (a.ForTargets is null && (a.Operator != "+=" || !defined))
        {
            _simple[a.Name] = simple;
        }

        if (a.Operator != "!=")
        {
            _values[a.Name] =
                a.Operator == "+=" && _values.TryGetValue(a.Name, out var old)
                    ? $"{old} {a.Value.Text}"
                    : a.Value.Text;
        }

        if (a.Export)
        {
            _exported.Add(a.Name);
        }

        var where = $"`{a.Name} {a.Operator}`";
        _expansions.Add(
            a.Operator == "!="
                ? new(a.Value, SiteKind.ParseTime, where, a, WholeIsShell: true)
                : new(a.Value, simple ? SiteKind.ParseTime : SiteKind.Deferred, where, a)
        );
    }

    /// <summary>Where the recursive variable <paramref name="name"/> is expanded, following the recursive
    /// variables that reference it (a cycle, which make itself refuses, stops the walk).</summary>
    public Reach ReachOf(string name)
    {
        if (_reach.TryGetValue(name, out var known))
        {
            return known;
        }

        var reach = new Reach
        {
            Exported = (_exportAll || _exported.Contains(name)) && !_simple.GetValueOrDefault(name),
        };
        if (!_visiting.Add(name))
        {
            return reach;
        }

        if (_parseSites.TryGetValue(name, out var site))
        {
            reach.ParseTime = site;
        }

        if (_recipeSites.TryGetValue(name, out var lines))
        {
            reach.RecipeLines.UnionWith(lines);
        }

        foreach (var user in _referencedBy.GetValueOrDefault(name) ?? [])
        {
            reach.Merge(ReachOf(user));
        }

        _visiting.Remove(name);
        _reach[name] = reach;
        return reach;
    }

    static void Add<T>(Dictionary<string, HashSet<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var set))
        {
            // Expansions are compared by identity (hashing a record's every field is slow); names by value.
            map[key] = set =
                typeof(T) == typeof(string)
                    ? new HashSet<T>()
                    : new HashSet<T>(
                        (IEqualityComparer<T>)(object)ReferenceEqualityComparer.Instance
                    );
        }

        set.Add(value);
    }
}
