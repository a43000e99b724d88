namespace Rein.Lint.Make;

/// <summary><c>rein lint make</c>: finds the <c>$(shell ...)</c> calls that run when nobody asked for them.
/// See <see cref="MakeAnalysis"/> for the rules of when each runs.</summary>
public static class MakeLinter
{
    public const string ParseTimeRule = "make/parse-time-shell";
    public const string ExportedRule = "make/exported-shell";
    public const string RepeatedRule = "make/repeated-shell";

    /// <summary>Lints the makefile at <paramref name="path"/> (shown in findings as given) and its includes.</summary>
    public static LintReport Lint(string path)
    {
        var program = MakeProgram.Load(path);
        var analysis = new MakeAnalysis(program.Statements, Path.GetFileName(path));
        var findings = new List<LintFinding>();
        foreach (var (expansion, scan) in analysis.Scanned)
        {
            foreach (var shell in scan.Shells)
            {
                if (Judge(analysis, expansion, shell) is { } finding)
                {
                    findings.Add(finding);
                }
            }
        }

        return new LintReport("make", program.Files, findings);
    }

    static LintFinding? Judge(MakeAnalysis analysis, Expansion expansion, ShellCall shell)
    {
        if (expansion.Kind == SiteKind.Recipe)
        {
            // A recipe's shell runs only with its recipe: that is where it belongs.
            return null;
        }

        var line = expansion.Text.LineAt(shell.Offset);
        var heavy = HeavyCommand.Why(shell.Command, analysis.ValueOf);
        switch (expansion.Kind)
        {
            case SiteKind.ParseTime:
                return ParseTime(analysis, expansion, shell, line, heavy, via: null);
            case SiteKind.Deferred:
                var reach = analysis.ReachOf(expansion.Variable!.Name);
                if (reach.ParseTime is { } via)
                {
                    return ParseTime(analysis, expansion, shell, line, heavy, via);
                }

                if (reach.Exported)
                {
                    return Exported(expansion, shell, line, heavy, reach);
                }

                return reach.RecipeLines.Count >= MakeAnalysis.ManyReferences
                    ? Repeated(expansion, shell, line, reach)
                    : null;
            default:
                return null;
        }
    }

    static LintFinding ParseTime(
        MakeAnalysis analysis,
        Expansion expansion,
        ShellCall shell,
        int line,
        string? heavy,
        (Expansion Site, int Line)? via
    )
    {
        var n = analysis.RecursiveMakeCalls;
        var again = n switch
        {
            0 => "",
            1 => ", and again in the recursive $(MAKE) call in its recipes",
            _ => $", and again in each of the {n} recursive $(MAKE) calls in its recipes",
        };
        var v = expansion.Variable;
        var unless =
            v?.Operator == "?="
                ? $" unless {v.Name} is set on the command line or in the environment"
                : "";
        var through = via is { } p
            ? $" (a deferred `{v!.Name} {v.Operator}`, expanded by {p.Site.Where} at {p.Site.Text.File}:{p.Line})"
            : "";
        var message =
            $"{Subject(expansion, shell)}{through} {heavy ?? "runs a shell"} on every make invocation, while make "
            + $"reads the makefile (also `make help` and `make -n`){again}{unless}";
        var fix = (heavy, via) switch
        {
            (_, { } p2) =>
                $"expand {v!.Name} only inside recipes: {p2.Site.Where} at {p2.Site.Text.File}:{p2.Line} forces it "
                    + "while make reads (make that one `=` too, or move both into the recipe that needs them)",
            (not null, _) when v is not null =>
                "compute it in the recipe that needs it (a shell variable there: v=$$(...)), so no other target "
                    + "runs it; for a model-cache probe, look for the files instead of importing the library "
                    + "(rein cache check)",
            (not null, _) =>
                "decide this inside a recipe, or with a check that starts no interpreter, not while make reads "
                    + "the makefile",
            _ =>
                "if only some recipes need it, compute it there; if it is cheap and every target needs it, "
                    + "this is fine",
        };
        return new LintFinding(
            expansion.Text.File,
            line,
            heavy is null ? LintSeverity.Warning : LintSeverity.Error,
            ParseTimeRule,
            message,
            fix
        )
        {
            Details = new LintDetails
            {
                Variable = v?.Name,
                When = "parse_time",
                Command = Command(shell),
                RecursiveMakeCalls = n,
            },
        };
    }

    static LintFinding Exported(
        Expansion expansion,
        ShellCall shell,
        int line,
        string? heavy,
        Reach reach
    )
    {
        var v = expansion.Variable!;
        return new LintFinding(
            expansion.Text.File,
            line,
            heavy is null ? LintSeverity.Warning : LintSeverity.Error,
            ExportedRule,
            $"{Subject(expansion, shell)} {heavy ?? "runs a shell"} for every target make builds: {v.Name} is "
                + "exported and recursive, so make expands it into the environment of each recipe",
            $"unexport {v.Name} (or compute it in the one recipe that needs it)"
        )
        {
            Details = new LintDetails
            {
                Variable = v.Name,
                When = "every_recipe",
                Command = Command(shell),
                References = reach.RecipeLines.Count,
            },
        };
    }

    static LintFinding Repeated(Expansion expansion, ShellCall shell, int line, Reach reach)
    {
        var v = expansion.Variable!;
        var targets = reach
            .RecipeLines.SelectMany(r => r.Targets ?? [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new LintFinding(
            expansion.Text.File,
            line,
            LintSeverity.Info,
            RepeatedRule,
            $"{Subject(expansion, shell)} runs again each time {v.Name} is expanded: "
                + $"{reach.RecipeLines.Count} recipe lines use it ({string.Join(", ", targets.Take(5))}"
                + $"{(targets.Count > 5 ? ", ..." : "")})",
            "compute it once: a shell variable in the recipe that needs it, or := if it is cheap and every target needs it"
        )
        {
            Details = new LintDetails
            {
                Variable = v.Name,
                When = "on_reference",
                Command = Command(shell),
                References = reach.RecipeLines.Count,
                Targets = targets,
            },
        };
    }

    static string Command(ShellCall shell) => HeavyCommand.Unescape(shell.Command).Trim();

    /// <summary><c>`X := $(shell python3 -c "...")`</c>, shortened; or the shell and where it is.</summary>
    static string Subject(Expansion expansion, ShellCall shell)
    {
        var command = string.Join(
            ' ',
            Command(shell).Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)
        );
        if (command.Length > 48)
        {
            command = command[..45] + "...";
        }

        var call = expansion.WholeIsShell ? command : $"$(shell {command})";
        return expansion.Variable is { } v
            ? $"`{v.Name} {v.Operator} {call}`"
            : $"`{call}` in {expansion.Where}";
    }
}
