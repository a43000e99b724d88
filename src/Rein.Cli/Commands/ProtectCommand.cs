using System.CommandLine;
using Rein.Config;
using Rein.Protect;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein protect [DIR...]</c>: keep heavy, regenerable folders out of Spotlight (and, asked, Time
/// Machine), and warn about a repository in a synced folder.</summary>
internal static class ProtectCommand
{
    public static Command Build()
    {
        var dirs = new Argument<string[]>("DIR")
        {
            Description = "Roots to protect (default: the current repository)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Say what would change; change nothing",
        };
        var timeMachine = new Option<bool>("--time-machine")
        {
            Description =
                "Also exclude them from Time Machine backups (macOS: tmutil addexclusion)",
        };
        var cmd = new Command(
            "protect",
            "Drop .metadata_never_index into heavy folders (.venv, venv, node_modules, .mypy_cache, .pytest_cache, "
                + ".ruff_cache, dist, build, site, .tox, .nox, model caches) under the roots, create the missing caches "
                + "of known tools, and warn when the repository is inside iCloud Drive, Dropbox, OneDrive or Google "
                + "Drive. Idempotent. Spotlight is macOS's: on Linux this does the harmless part.\n\nExamples:\n"
                + "  rein protect\n  rein protect --dry-run ~/src/app ~/src/lib\n  rein protect --time-machine"
        )
        {
            dirs,
            dryRun,
            timeMachine,
        };
        cmd.SetAction(parse =>
        {
            var roots = (parse.GetValue(dirs) ?? []).Select(Path.GetFullPath).ToList();
            if (roots.Count == 0)
            {
                roots.Add(
                    RepositoryRoot.Of(Environment.CurrentDirectory) ?? Environment.CurrentDirectory
                );
            }

            if (roots.FirstOrDefault(r => !Directory.Exists(r)) is { } missing)
            {
                Console.Error.WriteLine(
                    $"rein protect: no such directory: {CommandText.Escape(missing)}"
                );
                return ExitCodes.BadUsage;
            }

            var dry = parse.GetValue(dryRun);
            var tm = parse.GetValue(timeMachine);
            var report = IndexProtection.Apply(
                roots,
                dry,
                tm && OperatingSystem.IsMacOS(),
                TmutilExclude
            );
            Write(report, dry, tm);
            return report.Problems.Count > 0 ? ExitCodes.Findings : ExitCodes.Ok;
        });
        return cmd;
    }

    static void Write(ProtectReport report, bool dry, bool timeMachine)
    {
        var would = dry ? "would " : "";
        foreach (var d in report.Directories)
        {
            var what = new List<string>();
            if (d.Created)
            {
                what.Add($"{would}create it");
            }

            if (d.MarkerAdded)
            {
                what.Add($"{would}add {IndexProtection.Marker}");
            }

            if (d.TimeMachineExcluded)
            {
                what.Add($"{would}exclude from Time Machine");
            }

            Console.WriteLine(
                $"{(what.Count == 0 ? "unchanged" : string.Join(", ", what))}: {CommandText.Escape(d.Path)}"
            );
        }

        if (report.Directories.Count == 0)
        {
            Console.WriteLine("no heavy folders found");
        }

        foreach (var p in report.Problems)
        {
            Console.Error.WriteLine($"rein protect: {CommandText.Escape(p)}");
        }

        foreach (var (root, service) in report.Synced)
        {
            Console.Error.WriteLine(
                $"rein protect: warning: {CommandText.Escape(root)} is inside {service}: every file a build writes is uploaded and indexed too; move the repository out of the synced folder (e.g. to ~/src)"
            );
        }

        if (!OperatingSystem.IsMacOS())
        {
            Console.WriteLine(
                "note: Spotlight and Time Machine are macOS's; here the markers are harmless and take effect if the folder is used on a Mac"
                    + (timeMachine ? " (--time-machine skipped)" : "")
            );
            return;
        }

        // Unverified (no Mac here): reports say recent macOS ignores the marker in some places; these always apply.
        Console.WriteLine(
            "note: recent macOS is reported to ignore .metadata_never_index in some places; what Spotlight always skips: a folder whose name ends in .noindex, and folders in System Settings > Spotlight > Privacy. Check indexing with `mdutil -s /`."
        );
    }

    /// <summary>tmutil addexclusion DIR, bounded: 30 s, then its tree is killed. Null when it worked.</summary>
    static string? TmutilExclude(string dir)
    {
        var r = Rein.Diagnostics.CommandRunner.Instance.Run(
            "tmutil",
            ["addexclusion", dir],
            TimeSpan.FromSeconds(30)
        );
        return r.Ok ? null
            : !r.Found ? "tmutil not found"
            : r.TimedOut ? "tmutil did not answer within 30s (stopped)"
            : r.Stderr.Trim();
    }
}
