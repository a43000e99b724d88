using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>Issue 25 item 9: several --match tokens (any of them) and --match-regex over the joined command line,
/// for a token that sits inside an argument (RFC-074's <c>python.*ml_model_cache_helpers</c>, in <c>-c</c> code);
/// protected programs stay untouched whatever selects them.</summary>
public sealed class CleanupMatchTests : CleanupTestBase
{
    string Project
    {
        get
        {
            var dir = Path.Combine(Scratch, "project");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>A leftover in its own session working in <paramref name="cwd"/>, its first argument
    /// <paramref name="first"/>; returns its pid.</summary>
    int Leftover(string first, string cwd, string pidFile)
    {
        StartDetached(
            Paths.Helper,
            [first, "setsid", "[", "ignore-term", "pidfile", pidFile, "hang", "]"],
            cwd: cwd
        );
        return ProcessProbe.WaitForPids(pidFile, 1, TimeSpan.FromSeconds(5)).Single();
    }

    [Fact]
    public void Several_match_tokens_select_any_of_them_and_nothing_else()
    {
        var project = Project;
        var a = Leftover(Marker + "-a", project, Path.Combine(Scratch, "a.pid"));
        var b = Leftover(Marker + "-b", project, Path.Combine(Scratch, "b.pid"));
        var c = Leftover(Marker + "-c", project, Path.Combine(Scratch, "c.pid"));
        try
        {
            var r = Cleanup(
                "--cwd",
                project,
                "--match",
                Marker + "-a",
                "--match",
                Marker + "-b",
                "--yes",
                "--json"
            );
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            var doc = Json(r);
            Assert.NotNull(Entry(doc, "processes", a));
            Assert.NotNull(Entry(doc, "processes", b));
            Assert.Null(Entry(doc, "processes", c));
            Assert.True(Gone(a), $"pid {a} survived");
            Assert.True(Gone(b), $"pid {b} survived");
            Assert.True(Alive(c), "a process no token named was stopped");
        }
        finally
        {
            ProcessProbe.KillAll(Marker);
        }
    }

    [Fact]
    public void Match_regex_finds_a_token_inside_an_argument_that_match_cannot()
    {
        var project = Project;
        // The token sits inside one argument, as a module name does inside `python -c "..."` code.
        var target = Leftover(
            $"import ml_model_cache_helpers_{Marker}; ml_model_cache_helpers_{Marker}.load()",
            project,
            Path.Combine(Scratch, "target.pid")
        );
        var decoy = Leftover(
            $"import other_{Marker}; other_{Marker}.load()",
            project,
            Path.Combine(Scratch, "decoy.pid")
        );
        try
        {
            var whole = Cleanup(
                "--cwd",
                project,
                "--match",
                $"ml_model_cache_helpers_{Marker}",
                "--json"
            );
            Assert.Null(Entry(Json(whole), "processes", target));
            var both = Cleanup(
                "--cwd",
                project,
                "--match-regex",
                $"ml_model_cache_helpers_{Marker}",
                "--match",
                $"absent-{Marker}",
                "--json"
            );
            Assert.Null(Entry(Json(both), "processes", target)); // a token and a pattern must both hold

            var r = Cleanup(
                "--cwd",
                project,
                "--match-regex",
                $"rein-testhelper.*ml_model_cache_helpers_{Marker}",
                "--yes",
                "--json"
            );
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.NotNull(Entry(Json(r), "processes", target));
            Assert.Null(Entry(Json(r), "processes", decoy));
            Assert.True(Gone(target), $"pid {target} survived");
            Assert.True(Alive(decoy), "the pattern stopped a process it does not find");
        }
        finally
        {
            ProcessProbe.KillAll(Marker);
        }
    }

    [Fact]
    public void Match_regex_narrows_a_wide_cwd_as_match_does()
    {
        var r = Cleanup("--cwd", "/", "--match-regex", $"never-{Marker}", "--json");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var wide = Cleanup("--cwd", "/", "--json");
        Assert.Equal(2, wide.ExitCode);
    }

    [Fact]
    public void A_protected_program_is_spared_whatever_the_pattern_selects()
    {
        var project = Project;
        var pid = Leftover($"guarded {Marker}", project, Path.Combine(Scratch, "p.pid"));
        try
        {
            var r = ReinProcess.Run(
                [
                    "cleanup",
                    "--grace",
                    "300ms",
                    "--cwd",
                    project,
                    "--match-regex",
                    Marker,
                    "--yes",
                    "--json",
                ],
                HomeEnv(("REIN_CLEANUP_PROTECT", "rein-testhelper")),
                TimeSpan.FromSeconds(60)
            );
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Null(Entry(Json(r), "processes", pid));
            Assert.NotNull(Entry(Json(r), "spared", pid));
            Assert.True(Alive(pid), "a protected program was stopped");
        }
        finally
        {
            ProcessProbe.KillAll(Marker);
        }
    }

    [Theory]
    [InlineData("(unclosed", "--match-regex:")]
    [InlineData(@"(a)\1", "--match-regex:")]
    [InlineData("", "--match-regex: the pattern is empty")]
    public void A_bad_pattern_is_one_line_of_usage(string pattern, string expected)
    {
        var r = Cleanup("--match-regex", pattern);
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("rein cleanup: " + expected, lines[0]);
    }
}
