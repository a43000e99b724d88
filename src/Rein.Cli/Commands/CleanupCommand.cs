using System.CommandLine;
using System.Text.Json;
using Rein.Cleanup;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Processes;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein cleanup</c>: find processes Rein started that outlived their run (and, with --cwd, leftovers
/// working in a directory); list them, or stop them with --yes.</summary>
internal static class CleanupCommand
{
    public static Command Build()
    {
        var yes = new Option<string?>("--yes", "-y")
        {
            Description =
                "Stop them (TERM, grace, KILL, verify); without it nothing is signalled (dry run). "
                + "More than 20 need the count restated: --yes=N",
            HelpName = "N",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cwd = new Option<string?>("--cwd")
        {
            Description =
                "Scope to processes working in DIR or below and their descendants, started by Rein or not (default DIR: "
                + "the repository root; outside one, give DIR). /, your home and its ancestors need --match",
            HelpName = "DIR",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var match = new Option<string[]>("--match")
        {
            Description =
                "Keep only processes with TOKEN as a whole argument or as the executable's name (never a "
                + "substring); repeat for any of several",
            HelpName = "TOKEN",
        };
        var matchRegex = new Option<string?>("--match-regex")
        {
            Description =
                "Keep only processes whose command line (arguments joined by spaces) PATTERN finds, e.g. a module "
                + "inside python -c code: 'python.*ml_model_cache'",
            HelpName = "PATTERN",
        };
        var olderThan = new Option<string?>("--older-than")
        {
            Description = "Keep only processes running for longer than DUR (e.g. 10m)",
            HelpName = "DUR",
        };
        var grace = new Option<string?>("--grace")
        {
            Description = "Between TERM and KILL (default: run.grace, 5s)",
            HelpName = "DUR",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.cleanup/1)",
        };
        var cmd = new Command(
            "cleanup",
            "Find processes Rein started that outlived their run — by the journal's record of each run's processes "
                + "(pid + start time), the REIN_RUN_ID marker and leftover rein-* cgroups, never by pid alone — and "
                + "stop them with --yes. Never touches other users' processes, rein's ancestors, this shell's session, "
                + "or protected programs (editors, language servers, agent CLIs, browsers; add more with "
                + "cleanup.protect). A REIN_RUN_ID this journal does not know is listed, and stopped only when "
                + "--cwd, --match or --match-regex selects it. Exit 0 when nothing is left (or on a dry run), 1 when something "
                + "survived, 2 on bad usage.\n\nExamples:\n  rein cleanup\n  rein cleanup --yes\n"
                + "  rein cleanup --cwd --match pytest --older-than 10m --yes\n"
                + "  rein cleanup --match-regex 'python.*ml_model_cache_helpers' --yes"
        )
        {
            yes,
            cwd,
            match,
            matchRegex,
            olderThan,
            grace,
            json,
        };
        cmd.SetAction(parse =>
        {
            var request = new CleanupRequest();
            int? restated = null;
            if (parse.GetResult(yes) is not null && parse.GetValue(yes) is { } n)
            {
                if (
                    !int.TryParse(
                        n,
                        System.Globalization.CultureInfo.InvariantCulture,
                        out var count
                    )
                    || count < 0
                )
                {
                    return Usage(
                        $"--yes={n}: give the number of processes to stop (--yes=N), or --yes alone"
                    );
                }

                restated = count;
            }

            if (parse.GetResult(cwd) is not null)
            {
                var given = parse.GetValue(cwd) is { Length: > 0 } d ? d : null;
                var dir = given ?? RepositoryRoot.Of(Environment.CurrentDirectory);
                if (dir is null)
                {
                    return Usage("--cwd: not in a repository; give --cwd DIR");
                }

                if (!Directory.Exists(dir))
                {
                    return Usage($"--cwd: no such directory: {dir}");
                }

                var real = RealPath(Path.GetFullPath(dir));
                var home =
                    Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h
                    && Path.IsPathRooted(h)
                        ? RealPath(Path.GetFullPath(h))
                        : null;
                var narrowed =
                    parse.GetValue(match) is { Length: > 0 }
                    || parse.GetValue(matchRegex) is { Length: > 0 };
                if (CleanupScope.TooWide(real, home, narrowed) is { } wide)
                {
                    return Usage(wide);
                }

                request = request with { Cwd = real };
            }

            if (parse.GetValue(match) is { Length: > 0 } tokens)
            {
                if (tokens.Any(t => t.Length == 0))
                {
                    return Usage("--match: the token is empty");
                }

                request = request with { Matches = tokens };
            }

            if (parse.GetValue(matchRegex) is { } pattern)
            {
                if (CleanupPattern.Compile(pattern, out var regex) is { } bad)
                {
                    return Usage($"--match-regex: {bad}");
                }

                request = request with { MatchRegex = regex };
            }

            if (parse.GetValue(olderThan) is { } o)
            {
                if (!DurationParser.TryParse(o, out var min, out var error))
                {
                    return Usage($"--older-than: {error}");
                }

                request = request with { OlderThan = min };
            }

            var flags = new Dictionary<string, (string, string)>();
            if (parse.GetValue(grace) is { } g)
            {
                flags[Settings.Grace.Key] = (g, "--grace");
            }

            var config = CliConfig.LoadForReading(flags);
            request = request with
            {
                Protected = ProtectedProcesses.FromSetting(
                    (string)config[Settings.CleanupProtect].Value
                ),
            };

            var table = ProcessTables.Current;
            var boot = JournalAccess.Boot;
            using var store = JournalAccess.Open("cleanup");
            if (store is not null)
            {
                JournalAccess.Reconcile(store, boot);
            }

            var cgroupRoot = Rein.Running.TestHooks.CgroupRoot ?? "/sys/fs/cgroup";
            var plan = Cleaner.Plan(table, store, boot.BootId, request, cgroupRoot);
            CleanupResult? result = null;
            if (parse.GetResult(yes) is not null)
            {
                if (CleanupScope.Unconfirmed(plan.ToKill.Count(), restated) is { } unconfirmed)
                {
                    if (!parse.GetValue(json))
                    {
                        CleanupText.Write(Consoles.Stdout(), plan, null);
                    }

                    return Usage(unconfirmed);
                }

                result = Cleaner.Execute(
                    table,
                    plan,
                    config.Duration(Settings.Grace),
                    config.Duration(Settings.KillBound)
                );
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(
                    JsonSerializer.Serialize(
                        CleanupDocument.From(plan, result),
                        Rein.Documents.ReinJsonContext.Readable.CleanupDocument
                    )
                );
            }
            else
            {
                CleanupText.Write(Consoles.Stdout(), plan, result);
            }

            return result is { Survivors.Count: > 0 } ? ExitCodes.Findings : ExitCodes.Ok;
        });
        return cmd;
    }

    static int Usage(string message)
    {
        Console.Error.WriteLine($"rein cleanup: {CommandText.Escape(message)}");
        return ExitCodes.BadUsage;
    }

    /// <summary>Symbolic links resolved, as /proc shows a process's working directory.</summary>
    static string RealPath(string path)
    {
        var result = "/";
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(result, part);
            for (var hops = 0; hops < 40 && new FileInfo(next).LinkTarget is { } target; hops++)
            {
                next = Path.GetFullPath(target, result);
            }

            result = next;
        }

        return result;
    }
}
