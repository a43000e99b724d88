namespace Rein.Lint.Compose;

/// <summary><c>rein lint compose</c>: services that can take the machine's memory. The files are merged as
/// overlays (later ones override, <c>!reset</c>/<c>!override</c>), <c>extends</c> is followed; then each service
/// is judged (see <see cref="ComposeService"/> for the facts and the computation heuristic).</summary>
public static class ComposeLinter
{
    public const string UnboundedRule = "compose/unbounded-memory";
    public const string TmpfsRule = "compose/tmpfs";
    public const string JvmRule = "compose/jvm-heap";
    public const string RestartRule = "compose/restart-unbounded";
    public const string SumRule = "compose/limits-exceed-memory";
    public const string InvalidRule = "compose/invalid-memory";

    /// <summary>A heap at this share of the limit or more leaves too little for the rest of the JVM.</summary>
    public const double HeapShare = 0.75;

    /// <param name="files">The compose files, in overlay order, as the user named them.</param>
    /// <param name="machine">The memory the containers share, when known.</param>
    /// <param name="environment">Variables for <c>${VAR:-default}</c> interpolation (compose also reads .env).</param>
    public static LintReport Lint(
        IReadOnlyList<string> files,
        MachineMemory? machine,
        Func<string, string?> environment
    )
    {
        var documents = files.Select(f => ComposeYaml.Load(f, f)).ToList();
        ComposeMap merged = documents[0];
        foreach (var later in documents.Skip(1))
        {
            merged = (ComposeMap)ComposeMerge.Merge(merged, later)!;
        }

        var env = WithDotEnv(environment, Path.GetDirectoryName(files[0]) ?? ".");
        var directory = Path.GetDirectoryName(Path.GetFullPath(files[0])) ?? ".";
        var servicesNode =
            merged["services"] as ComposeMap ?? new ComposeMap(files[0], 1, null, []);
        var services = servicesNode
            .Entries.Where(e => e.Value is ComposeMap)
            .Select(e => new ComposeService(
                e.Key,
                e.Value.File,
                e.KeyLine,
                ComposeMerge.ResolveExtends((ComposeMap)e.Value, servicesNode, directory),
                env
            ))
            .ToList();
        var commented = CommentedLimits.Find(files, documents);

        var findings = new List<LintFinding>();
        foreach (var service in services)
        {
            findings.AddRange(Judge(service, commented));
        }

        if (Sum(services, machine, documents[0]) is { } sum)
        {
            findings.Add(sum);
        }

        return new LintReport("compose", files, findings);
    }

    static IEnumerable<LintFinding> Judge(
        ComposeService s,
        IReadOnlyDictionary<string, (string File, int Line)> commented
    )
    {
        foreach (var invalid in s.Limits.Where(l => l.Invalid))
        {
            yield return new LintFinding(
                invalid.File,
                invalid.Line,
                LintSeverity.Error,
                InvalidRule,
                $"service `{s.Name}`: {invalid.Key} '{invalid.Raw}' is not a memory size",
                "write it as Docker does: 512m, 2g, 1.5g (1024-based) or a number of bytes"
            )
            {
                Details = new LintDetails { Service = s.Name },
            };
        }

        var tmpfs = s.Tmpfs();
        if (s.Unbounded)
        {
            var why = s.Computation();
            var hint = commented.TryGetValue(s.Name, out var c)
                ? $" (the limit commented out at {c.File}:{c.Line} does not count)"
                : "";
            yield return new LintFinding(
                s.File,
                s.Line,
                why is null ? LintSeverity.Warning : LintSeverity.Error,
                UnboundedRule,
                $"service `{s.Name}` has no memory limit (neither mem_limit nor deploy.resources.limits.memory)"
                    + $"{(why is null ? "" : $" and {why}")}: it can grow until the machine (or Docker's VM) runs out of memory{hint}",
                "add mem_limit: 2g (or deploy.resources.limits.memory) sized to its peak plus headroom; "
                    + "`docker stats` then shows its use against the limit"
            )
            {
                Details = new LintDetails { Service = s.Name },
            };

            if (s.Restart is "always" or "unless-stopped")
            {
                var restartLine = s.Config["restart"]!.Line;
                yield return new LintFinding(
                    s.Config["restart"]!.File,
                    restartLine,
                    LintSeverity.Info,
                    RestartRule,
                    $"service `{s.Name}` has restart: {s.Restart} and no memory limit: after an out-of-memory kill "
                        + "it starts again and grows again",
                    "give it a memory limit, so the restart happens before the machine is starved"
                )
                {
                    Details = new LintDetails { Service = s.Name },
                };
            }
        }

        if (tmpfs.Count > 0)
        {
            yield return Tmpfs(s, tmpfs);
        }

        if (s.LimitBytes is { } limit && s.JvmHeap() is { } heap && heap.Bytes >= HeapShare * limit)
        {
            yield return new LintFinding(
                heap.File,
                heap.Line,
                LintSeverity.Warning,
                JvmRule,
                $"service `{s.Name}`: {heap.Flag} is {100.0 * heap.Bytes / limit:0}% of its {ComposeValues.Human(limit)} "
                    + "memory limit; a JVM needs memory beyond its heap (metaspace, threads, buffers) and is killed "
                    + "before the heap is full",
                $"keep the heap at most {HeapShare:P0} of the limit (here {ComposeValues.Human((long)(HeapShare * limit))}) "
                    + "or raise the limit"
            )
            {
                Details = new LintDetails { Service = s.Name, MemoryLimitBytes = limit },
            };
        }
    }

    static LintFinding Tmpfs(ComposeService s, IReadOnlyList<ComposeTmpfs> tmpfs)
    {
        var sized = tmpfs.Where(t => t.Bytes is not null).Sum(t => t.Bytes!.Value);
        var list = string.Join(
            ", ",
            tmpfs.Select(t =>
                t.Bytes is { } b
                    ? $"{t.Target} ({ComposeValues.Human(b)})"
                    : $"{t.Target} (no size)"
            )
        );
        var fillsLimit = s.LimitBytes is { } limit && sized >= limit;
        var unsized = tmpfs.Any(t => t.Bytes is null)
            ? "; one without a size may take up to half of the memory"
            : "";
        return new LintFinding(
            tmpfs[0].File,
            tmpfs[0].Line,
            fillsLimit ? LintSeverity.Warning : LintSeverity.Info,
            TmpfsRule,
            $"service `{s.Name}` keeps tmpfs mounts in memory: {list}{unsized}"
                + (
                    fillsLimit
                        ? $"; together they can fill its {ComposeValues.Human(s.LimitBytes!.Value)} limit"
                        : ""
                ),
            "give each tmpfs a size (tmpfs: - /tmp:size=64m, or tmpfs.size on a tmpfs volume) and count it in the limit"
        )
        {
            Details = new LintDetails
            {
                Service = s.Name,
                TmpfsBytes = sized,
                MemoryLimitBytes = s.LimitBytes,
            },
        };
    }

    static LintFinding? Sum(List<ComposeService> services, MachineMemory? machine, ComposeMap first)
    {
        var limited = services.Where(s => s.LimitBytes is not null).ToList();
        // tmpfs of a limited service is charged to its limit; an unbounded service's sized tmpfs adds to the sum.
        var total =
            limited.Sum(s => s.LimitBytes!.Value)
            + services.Where(s => s.Unbounded).SelectMany(s => s.Tmpfs()).Sum(t => t.Bytes ?? 0);
        if (machine is null || total <= machine.Bytes)
        {
            return null;
        }

        var unbounded = services.Count(s => s.Unbounded);
        var entry = first.Entry("services");
        return new LintFinding(
            first.File,
            entry?.KeyLine ?? 1,
            LintSeverity.Warning,
            SumRule,
            $"the memory limits of {limited.Count} services add up to {ComposeValues.Human(total)}, more than the "
                + $"{ComposeValues.Human(machine.Bytes)} of {machine.Source}"
                + (unbounded > 0 ? $", and {unbounded} more have no limit" : ""),
            "lower the limits, or keep these services from running together (profiles)"
        )
        {
            Details = new LintDetails
            {
                MemoryLimitBytes = total,
                MachineMemoryBytes = machine.Bytes,
            },
        };
    }

    /// <summary>The environment, then the project's .env file (compose reads it for interpolation).</summary>
    static Func<string, string?> WithDotEnv(Func<string, string?> environment, string directory)
    {
        var dotEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.Combine(directory, ".env");
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && !line.TrimStart().StartsWith('#'))
                {
                    dotEnv[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"', '\'');
                }
            }
        }

        return name => environment(name) ?? dotEnv.GetValueOrDefault(name);
    }
}
