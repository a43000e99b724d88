using System.Diagnostics;
using Rein.Tests.Support;

namespace Rein.Tests.Cache;

/// <summary>Issue 20 item 7: the interpreter of <c>rein cache check --python</c> is bounded. A hanging one is
/// stopped with its tree at 10 s (today rein hangs with it); a chatty one (a megabyte on stderr) never deadlocks.</summary>
public sealed class CachePythonBoundTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-cache-py-").FullName;
    readonly string _marker = TestMarker.New("cachepy");

    public void Dispose()
    {
        ProcessProbe.KillAll(_marker);
        Directory.Delete(_root, recursive: true);
    }

    string Interpreter(string body)
    {
        var path = Path.Combine(_root, "python");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    [Fact]
    public void A_hanging_interpreter_is_stopped_with_its_tree_and_rein_answers()
    {
        var python = Interpreter($"{Paths.Helper} {_marker} bg [ hang ] hang");
        var clock = Stopwatch.StartNew();
        var r = ReinProcess.Run(
            ["cache", "check", "--python", python, "spacy:en_core_web_sm"],
            timeout: TimeSpan.FromSeconds(90)
        );
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no answer within 10s", r.Stderr);
        // 10 s and the tree kill (which reads the process table: slow on a loaded machine); without the bound, never.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"took {clock.Elapsed}");
        Assert.True(
            ProcessProbe.WaitUntil(
                () => ProcessProbe.Alive(_marker).Count == 0,
                TimeSpan.FromSeconds(3)
            ),
            "the interpreter's tree survived"
        );
    }

    [Fact]
    public void A_chatty_interpreter_does_not_deadlock_on_stderr()
    {
        var site = Directory.CreateDirectory(Path.Combine(_root, "site")).FullName;
        Directory.CreateDirectory(Path.Combine(site, "en_core_web_sm"));
        File.WriteAllText(Path.Combine(site, "en_core_web_sm", "meta.json"), "{}");
        var python = Interpreter($"head -c 1048576 /dev/zero | tr '\\0' x >&2\necho {site}");
        var r = ReinProcess.Run(
            ["cache", "check", "--python", python, "spacy:en_core_web_sm"],
            timeout: TimeSpan.FromSeconds(90)
        );
        Assert.True(r.ExitCode == 0, r.Stderr[..Math.Min(300, r.Stderr.Length)] + r.Stdout);
        Assert.Contains("cached   spacy:en_core_web_sm", r.Stdout);
    }
}
