using Rein.Tests.Support;

namespace Rein.Tests.Running;

public sealed class ChildEnvironmentTests : RunTestBase
{
    static Dictionary<string, string> EnvOf(string stdout) =>
        stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    [Fact]
    public void Child_gets_a_run_id_and_python_faulthandler()
    {
        var r = ReinProcess.Run(["run", "--report", ReportPath, "--", "env"]);
        var env = EnvOf(r.Stdout);
        Assert.Equal(ReadReport().GetProperty("run_id").GetString(), env["REIN_RUN_ID"]);
        Assert.Equal("1", env["PYTHONFAULTHANDLER"]);
        Assert.False(env.ContainsKey("HF_HUB_OFFLINE"));
    }

    [Fact]
    public void PYTHONFAULTHANDLER_already_set_is_kept()
    {
        var r = ReinProcess.Run(
            ["run", "--", "env"],
            new Dictionary<string, string?> { ["PYTHONFAULTHANDLER"] = "0" }
        );
        Assert.Equal("0", EnvOf(r.Stdout)["PYTHONFAULTHANDLER"]);
    }

    [Fact]
    public void Env_offline_sets_the_hub_variables()
    {
        var env = EnvOf(ReinProcess.Run(["run", "--env-offline", "--", "env"]).Stdout);
        Assert.Equal("1", env["HF_HUB_OFFLINE"]);
        Assert.Equal("1", env["TRANSFORMERS_OFFLINE"]);
    }

    [Fact]
    public void Child_starts_with_default_SIGPIPE_so_pipelines_end_quietly()
    {
        // rein's own runtime ignores SIGPIPE; the command must not inherit that. (The test host, a .NET process,
        // leaks SIGPIPE ignored into what it starts, so rein is started with it reset, as a shell would.)
        var r = ReinProcess.Run(
            ["run", "--", "sh", "-c", "yes | head -c 3; echo \" rc=$?\""],
            wrapper: ["env", "--default-signal=PIPE"]
        );
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("y\ny rc=0\n", r.Stdout);
        Assert.DoesNotContain("Broken pipe", r.Stderr);
    }

    [Fact]
    public void Signals_the_caller_left_ignored_stay_ignored_and_the_rest_are_default()
    {
        // coreutils' rule: what the caller ignored stays ignored (here SIGPIPE and SIGUSR1); everything else,
        // including glibc's internal signals 32 and 33, is default in the command.
        var ignored = SigIgn(["env", "--ignore-signal=PIPE", "--ignore-signal=USR1"]);
        Assert.Equal((1UL << (13 - 1)) | (1UL << (10 - 1)), ignored);
        Assert.Equal(0UL, SigIgn(["env", "--default-signal"]));
    }

    static ulong SigIgn(IReadOnlyList<string> wrapper)
    {
        var r = ReinProcess.Run(
            ["run", "--", "grep", "^SigIgn:", "/proc/self/status"],
            wrapper: wrapper
        );
        Assert.Equal(0, r.ExitCode);
        return Convert.ToUInt64(r.Stdout.Split(':')[1].Trim(), 16);
    }

    [Fact]
    public void Child_runs_in_its_own_session_and_group()
    {
        var r = ReinProcess.Run(["run", "--", "sh", "-c", "echo $$; ps -o pid=,pgid=,sid= -p $$"]);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var pid = lines[0].Trim();
        var ids = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([pid, pid, pid], ids);
    }

    [Fact]
    public void Guard_file_descriptors_do_not_leak_into_the_child()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc");
        // The child may hold stdin/stdout/stderr and whatever rein itself inherited from us; anything else
        // (the wake pipe, relay pipes, the keeper pipe, later the journal and lock files) is a leak.
        var r = ReinProcess.Run([
            "run",
            "--idle-timeout",
            "10s",
            "--",
            "sh",
            "-c",
            "for f in /proc/$$/fd/*; do echo \"${f##*/} $(readlink $f)\"; done",
        ]);
        var inherited = Directory
            .GetFiles("/proc/self/fd")
            .Select(f => (Fd: int.Parse(Path.GetFileName(f)), Target: new FileInfo(f).LinkTarget))
            .ToHashSet();
        var leaked = r
            .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2))
            .Select(p => (Fd: int.Parse(p[0]), Target: p.Length > 1 ? p[1] : ""))
            .Where(f => f.Fd > 2 && !inherited.Contains((f.Fd, f.Target)))
            .ToList();
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(leaked.Count <= 1, $"unexpected fds in the child: {string.Join(", ", leaked)}"); // the glob's own directory fd may show
    }
}
