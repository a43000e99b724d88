using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>Issue 20 item 2: one odd file never disables the journal. A bad file of each kind — a FIFO, a symbolic
/// link out of the state directory, JSON that parses but lacks a required field, a dot-less stray — is planted in
/// each state folder, and every verb still answers (no hang, no "please report it"), the journal still imports the
/// good runs, and a spool file that cannot be imported is moved to spool/bad/ with one warning.</summary>
public sealed class OddStateFileTests : RunTestBase
{
    static void Folder(string path)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(
            path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        );
    }

    static void Plant(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    void PlantAll()
    {
        var spool = Path.Combine(Home, "spool");
        var locks = Path.Combine(Home, "locks");
        var waiters = Path.Combine(locks, "planted.waiters");
        var sup = Path.Combine(Home, "supervisions");
        var crumbs = Path.Combine(Home, "crumbs");
        var breaker = Path.Combine(Home, "breaker");
        var cadence = Path.Combine(Home, "cadence");
        var gate = Path.Combine(Home, "gate");
        foreach (var f in new[] { spool, locks, waiters, sup, crumbs, breaker, cadence, gate })
        {
            Folder(f);
        }

        // Spool: a start line without its fields, a procs line with "starts": null, a FIFO, a link.
        Plant(Path.Combine(spool, "fieldless.run"), "{\"t\":\"start\",\"run_id\":\"x\"}\n");
        Plant(
            Path.Combine(spool, "nullstarts.run"),
            File.ReadAllText(GoodSpool()) + "{\"t\":\"procs\",\"pids\":[1],\"starts\":null}\n"
        );
        Assert.Equal(0, Fifo.Make(Path.Combine(spool, "fifo.run")));
        File.CreateSymbolicLink(Path.Combine(spool, "link.run"), "/etc/passwd");

        // Locks: a dot-less stray, a slot record without command, a FIFO slot, a link slot, odd waiters.
        Plant(Path.Combine(locks, "README"), "stray\n");
        Plant(
            Path.Combine(locks, "planted.0"),
            "{\"run_id\":\"r\",\"pid\":1,\"pid_start\":1,\"since\":\"2026-01-01T00:00:00Z\"}"
        );
        Assert.Equal(0, Fifo.Make(Path.Combine(locks, "fifo.0")));
        File.CreateSymbolicLink(Path.Combine(locks, "link.0"), "/etc/passwd");
        Plant(
            Path.Combine(waiters, "w1"),
            "{\"run_id\":\"r\",\"pid\":1,\"pid_start\":1,\"since\":\"2026-01-01T00:00:00Z\"}"
        );
        Assert.Equal(0, Fifo.Make(Path.Combine(waiters, "w2")));
        File.CreateSymbolicLink(Path.Combine(waiters, "w3"), "/etc/passwd");

        // Supervision status files: no command, a FIFO, a link.
        Plant(
            Path.Combine(sup, "nocommand.json"),
            $"{{\"supervision_id\":\"s\",\"rein_pid\":1,\"rein_start\":0,\"state\":\"up\",\"incarnation\":1,\"restarts\":0,\"started_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}}"
        );
        Assert.Equal(0, Fifo.Make(Path.Combine(sup, "fifo.json")));
        File.CreateSymbolicLink(Path.Combine(sup, "link.json"), "/etc/passwd");

        // Breadcrumbs, breaker, cadence, gate: a FIFO and a link each.
        foreach (
            var (dir, name) in new[]
            {
                (crumbs, "x.crumbs"),
                (breaker, "x.json"),
                (cadence, "loads"),
                (gate, "hold"),
            }
        )
        {
            Assert.Equal(0, Fifo.Make(Path.Combine(dir, name)));
            File.CreateSymbolicLink(Path.Combine(dir, "link-" + name), "/etc/passwd");
        }
    }

    /// <summary>The spool file of a real run that ended, kept before the journal imports it.</summary>
    string GoodSpool()
    {
        var copy = Path.Combine(Scratch, "good.run");
        if (!File.Exists(copy))
        {
            var other = Path.Combine(Scratch, "other-state");
            // No daily prune in this run: it would import (and then delete) the spool file the test keeps.
            Directory.CreateDirectory(
                other,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            );
            File.WriteAllText(Path.Combine(other, "last-prune"), DateTime.UtcNow.ToString("O"));
            var r = ReinProcess.Run(
                ["run", "--", "true"],
                new Dictionary<string, string?> { ["REIN_HOME"] = other }
            );
            Assert.Equal(0, r.ExitCode);
            File.Copy(Directory.GetFiles(Path.Combine(other, "spool"), "*.run").Single(), copy);
        }

        return copy;
    }

    [Fact]
    public void Every_verb_answers_with_a_bad_file_of_each_kind_in_each_state_folder()
    {
        Assert.Equal(0, ReinProcess.Run(["run", "--", "true"], HomeEnv()).ExitCode);
        PlantAll();

        string[][] verbs =
        [
            ["journal"],
            ["journal", "--last", "100", "--json"],
            ["ps"],
            ["ps", "--json"],
            ["doctor"],
            ["cleanup"],
            ["panics"],
            ["gate"],
            ["locks"],
            ["locks", "--json"],
            ["cadence", "status"],
            ["run", "--lock", "planted", "--", "true"],
            ["run", "--", "true"],
        ];
        var failures = new List<string>();
        foreach (var verb in verbs)
        {
            RunResult r;
            try
            {
                r = ReinProcess.Run(verb, HomeEnv(), TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                failures.Add($"rein {string.Join(' ', verb)}: hung");
                continue;
            }

            // Answered, and not by dropping the journal: no line other than a spool file's move note may name a
            // planted file's refusal (a verb that opened no journal says "cannot open the journal" or the refusal).
            var refusals = r
                .Stderr.Split('\n')
                .Where(l => !l.Contains("moved spool file", StringComparison.Ordinal))
                .Where(l => !l.EndsWith("; ignored", StringComparison.Ordinal)) // a warning, and on it goes
                .Where(l =>
                    l.Contains("symbolic link", StringComparison.Ordinal)
                    || l.Contains("not a regular file", StringComparison.Ordinal)
                    || l.Contains("cannot open the journal", StringComparison.Ordinal)
                );
            if (
                r.Stderr.Contains("please report it", StringComparison.Ordinal)
                || r.ExitCode is not (0 or 1)
                || refusals.Any()
            )
            {
                failures.Add(
                    $"rein {string.Join(' ', verb)}: exit {r.ExitCode}: {r.Stderr.Trim()}"
                );
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The good run imported; the unimportable spool files moved aside (the link and the FIFO as themselves).
        var journal = ReinProcess.Run(["journal", "--json"], HomeEnv());
        Assert.Equal(0, journal.ExitCode);
        var bad = Path.Combine(Home, "spool", "bad");
        foreach (var moved in new[] { "fifo.run", "link.run" })
        {
            Assert.True(
                File.Exists(Path.Combine(bad, moved)) || Path.Exists(Path.Combine(bad, moved)),
                $"{moved} not in spool/bad"
            );
            Assert.False(
                Path.Exists(Path.Combine(Home, "spool", moved)),
                $"{moved} stayed in the spool"
            );
        }

        // The run whose spool file also held a procs line with "starts": null is in, the line skipped.
        var goodId = System
            .Text.Json.JsonDocument.Parse(File.ReadAllLines(GoodSpool())[0])
            .RootElement.GetProperty("run_id")
            .GetString();
        var ids = System
            .Text.Json.JsonDocument.Parse(journal.Stdout)
            .RootElement.GetProperty("runs")
            .EnumerateArray()
            .Select(r => r.GetProperty("run_id").GetString())
            .ToList();
        Assert.Contains(goodId, ids);
    }
}
