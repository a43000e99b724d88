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
        Requires.GnuEnvAndProc();
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
        Requires.GnuEnvAndProc();
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
        var r = ReinProcess.Run(["run", "--", Paths.Helper, Marker, "ids"]);
        var ids = r.Stdout.Trim().Split(' ');
        Assert.Equal(3, ids.Length);
        Assert.Equal([ids[0], ids[0], ids[0]], ids); // pid = pgid = sid
    }

    [Fact]
    public void The_child_gets_exactly_the_descriptors_rein_inherited()
    {
        // The same caller (a shell that opens an extra descriptor 7) starts the command once directly and once under
        // rein: the command must see exactly the same descriptors both times, and nothing of rein's (wake pipe, relay
        // pipes, shim pipes, lock slots, journal files). On macOS this is what POSIX_SPAWN_CLOEXEC_DEFAULT with the
        // recorded inherited descriptors must give.
        // The wrapper is given rein's path as $0: the direct run skips it, the guarded one runs it.
        var direct = ReinProcess.Run(
            [Paths.Helper, Marker, "fds"],
            HomeEnv(),
            wrapper: ["sh", "-c", "exec 7</etc/hosts; exec \"$@\""]
        );
        var guarded = ReinProcess.Run(
            RunArgs(["--idle-timeout", "10s", "--lock", "fd-" + Marker[^6..]], "fds"),
            HomeEnv(),
            wrapper: ["sh", "-c", "exec 7</etc/hosts; exec \"$0\" \"$@\""]
        );

        Assert.Equal(0, guarded.ExitCode);
        Assert.Contains(" 7", direct.Stdout, StringComparison.Ordinal);
        Assert.Equal(direct.Stdout, guarded.Stdout);
    }
}
