using System.Text;
using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Classification;

/// <summary>The classifier through the real binary: rein run --classify, the summary line, --report, the journal,
/// user rules in rein.toml, and the relay that must stay byte-for-byte.</summary>
public sealed class ClassifyEndToEndTests : RunTestBase
{
    const string MlxLine =
        "libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)";

    JsonElement Failure() => ReadReport().GetProperty("failure");

    [Fact]
    public void A_Metal_OOM_is_named_in_the_summary_the_report_and_the_journal()
    {
        var r = ReinProcess.Run(
            RunArgs(["--classify", "--report", ReportPath], "eprint", MlxLine, "exit", "1"),
            HomeEnv()
        );
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith(MlxLine + "\n", r.Stderr); // relayed first, unchanged
        Assert.Contains(
            "rein: looks like Metal out of GPU memory (metal_oom) → reduce_memory: Metal could not get GPU memory",
            r.Stderr
        );
        Assert.Equal("metal_oom", Failure().GetProperty("class").GetString());
        Assert.Equal("reduce_memory", Failure().GetProperty("hint").GetString());
        Assert.Equal("metal.oom.command_buffer", Failure().GetProperty("rule").GetString());
        Assert.Equal("output", Failure().GetProperty("source").GetString());
        Assert.Equal(MlxLine, Failure().GetProperty("evidence").GetString());

        var id = ReadReport().GetProperty("run_id").GetString()!;
        var show = ReinProcess.Run(["journal", "show", id], HomeEnv());
        Assert.Contains("metal_oom → reduce_memory", show.Stdout);
        Assert.Contains("metal.oom.command_buffer (output)", show.Stdout);
        var json = JsonDocument.Parse(
            ReinProcess.Run(["journal", "show", id, "--json"], HomeEnv()).Stdout
        );
        Assert.Equal(
            "metal_oom",
            json.RootElement.GetProperty("runs")[0]
                .GetProperty("failure")
                .GetProperty("class")
                .GetString()
        );
    }

    [Fact]
    public void A_successful_run_is_never_classified()
    {
        var r = ReinProcess.Run(
            RunArgs(["--classify", "--report", ReportPath], "eprint", MlxLine, "exit", "0"),
            HomeEnv()
        );
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(MlxLine + "\n", r.Stderr);
        Assert.Equal(JsonValueKind.Null, Failure().ValueKind);
    }

    [Fact]
    public void Without_classify_a_plain_failure_stays_quiet_and_is_unknown()
    {
        var r = ReinProcess.Run(
            RunArgs(["--report", ReportPath], "eprint", MlxLine, "exit", "1"),
            HomeEnv()
        );
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(MlxLine + "\n", r.Stderr); // written directly, no relay, no summary
        Assert.Equal("unknown", Failure().GetProperty("class").GetString());
    }

    [Fact]
    public void With_classify_a_signal_death_gets_its_line()
    {
        var r = ReinProcess.Run(
            RunArgs(["--classify", "--report", ReportPath], "die", "9"),
            HomeEnv()
        );
        Assert.Equal(137, r.ExitCode);
        Assert.Equal("signal", Failure().GetProperty("class").GetString());
        Assert.Equal("signal=9", Failure().GetProperty("evidence").GetString());
        Assert.Contains(
            "rein: looks like killed by SIGKILL (signal) → investigate: something outside rein sent SIGKILL",
            r.Stderr
        );
    }

    [Fact]
    public void A_memory_cap_is_memory_cap_with_reduce_memory()
    {
        var r = ReinProcess.Run(
            RunArgs(
                ["--memory", "64M", "--cap-method", "poll", "--report", ReportPath],
                "alloc",
                "256",
                "hang"
            ),
            HomeEnv()
        );
        Assert.Equal(137, r.ExitCode);
        Assert.Equal("memory_cap", Failure().GetProperty("class").GetString());
        Assert.Equal("reduce_memory", Failure().GetProperty("hint").GetString());
        Assert.StartsWith(
            "outcome=memory_exceeded memory_limit=67108864",
            Failure().GetProperty("evidence").GetString()
        );
        // The summary already names the cap: no second line saying the same.
        Assert.Contains("exceeded its memory cap of 64 MiB", r.Stderr);
        Assert.DoesNotContain("looks like", r.Stderr);
        AssertNoSurvivors();
    }

    static bool CgroupV1 =>
        OperatingSystem.IsLinux()
        && Directory.Exists("/sys/fs/cgroup/memory")
        && Environment.UserName == "root"
        && File.Exists("/dev/kmsg");

    [Fact]
    public void The_kernel_log_line_about_the_runs_process_reaches_a_kernel_rule()
    {
        Assert.SkipUnless(CgroupV1, "needs root, a cgroup v1 memory hierarchy and /dev/kmsg");
        // A certain user rule on the kernel log outranks the built-in memory_cap: the line must have been read,
        // and its pid (the killed helper) recognised as the run's.
        File.WriteAllText(
            Path.Combine(Scratch, "rein.toml"),
            """
            [[classify.rule]]
            id = "ours.memcg"
            applies = "kernel"
            certain = true
            regex = 'Memory cgroup out of memory: Killed process (?<pid>\d+)'
            class = "memcg_oom_seen"
            hint = "reduce_memory"
            advice = "the memory cgroup's OOM killer took it"
            """
        );
        var r = ReinProcess.Run(
            RunArgs(
                ["--memory", "16M", "--cap-method", "cgroup", "--report", ReportPath],
                "alloc",
                "200",
                "hang"
            ),
            HomeEnv(),
            workingDirectory: Scratch
        );
        Assert.Equal(137, r.ExitCode);
        Assert.Equal("memcg_oom_seen", Failure().GetProperty("class").GetString());
        Assert.Equal("kernel", Failure().GetProperty("source").GetString());
        Assert.Contains(
            $"Killed process {ReadReport().GetProperty("child_pid").GetInt32()} (rein-testhelper)",
            Failure().GetProperty("evidence").GetString()
        );
        AssertNoSurvivors();
    }

    const string OurRule = """
        [[classify.rule]]
        id = "ours.metal"
        match = "Command buffer execution failed"
        class = "our_gpu_trouble"
        title = "our GPU trouble"
        hint = "respawn_now"
        advice = "restart the worker"
        """;

    [Fact]
    public void A_user_rule_in_rein_toml_wins_over_the_built_in_one()
    {
        File.WriteAllText(Path.Combine(Scratch, "rein.toml"), OurRule);
        var r = ReinProcess.Run(
            RunArgs(["--classify", "--report", ReportPath], "eprint", MlxLine, "exit", "1"),
            HomeEnv(),
            workingDirectory: Scratch
        );
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("our_gpu_trouble", Failure().GetProperty("class").GetString());
        Assert.Contains(
            "rein: looks like our GPU trouble (our_gpu_trouble) → respawn_now: restart the worker",
            r.Stderr
        );

        var c = ReinProcess.Run(
            ["classify", Paths.Fixture("classify", "mlx-metal-oom-mtplx-194.txt")],
            HomeEnv(),
            workingDirectory: Scratch
        );
        Assert.Equal(0, c.ExitCode);
        Assert.StartsWith("our_gpu_trouble → respawn_now", c.Stdout);
    }

    [Fact]
    public void A_bad_user_rule_is_a_one_line_error_before_anything_runs()
    {
        var toml = Path.Combine(Scratch, "rein.toml");
        File.WriteAllText(
            toml,
            OurRule.Replace("match = ", "regex = \"(\"\n#", StringComparison.Ordinal)
        );
        var r = ReinProcess.Run(
            RunArgs(["--classify"], "touch", Path.Combine(Scratch, "ran"), "exit", "1"),
            HomeEnv(),
            workingDirectory: Scratch
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(
            $"{toml}: [[classify.rule]] 'ours.metal': 'regex' is not a valid regex",
            r.Stderr
        );
        Assert.False(File.Exists(Path.Combine(Scratch, "ran")));

        var c = ReinProcess.Run(["classify", toml], HomeEnv(), workingDirectory: Scratch);
        Assert.Equal(2, c.ExitCode);
        Assert.Single(c.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("'ours.metal'", c.Stderr);
    }

    [Fact]
    public void The_relayed_output_is_byte_for_byte_and_the_tail_is_the_last_64_KiB()
    {
        // 200 KB of varied text (multi-byte UTF-8 included) with the MLX line last: the match lies past the first
        // 64 KiB, so a tail that kept the start would miss it.
        var sb = new StringBuilder();
        for (var i = 0; sb.Length < 200_000; i++)
        {
            sb.Append(
                $"step {i} loss={i * 0.001:F3} ünïcødé ✓ {new string((char)('a' + (i % 26)), i % 90)}\n"
            );
        }

        sb.Append(MlxLine).Append('\n');
        var content = sb.ToString();
        var file = Path.Combine(Scratch, "log.txt");
        File.WriteAllText(file, content);

        var r = ReinProcess.Run(
            [
                "run",
                "--classify",
                "--report",
                ReportPath,
                "--",
                "/bin/sh",
                "-c",
                "cat \"$1\"; cat \"$1\" >&2; exit 3",
                Marker,
                file,
            ],
            HomeEnv()
        );
        Assert.Equal(3, r.ExitCode);
        Assert.Equal(content, r.Stdout);
        var summary = r.Stderr[content.Length..];
        Assert.Equal(content, r.Stderr[..content.Length]);
        Assert.StartsWith("rein: looks like Metal out of GPU memory", summary);
        Assert.Equal("metal_oom", Failure().GetProperty("class").GetString());
    }

    [Fact]
    public void Rein_classify_reads_a_file_or_stdin_and_says_what_it_found()
    {
        var fixture = Paths.Fixture("classify", "pytorch-cuda-oom-neurolens-2.txt");
        var text = ReinProcess.Run(["classify", fixture], HomeEnv());
        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("cuda_oom → reduce_memory: CUDA out of memory\n", text.Stdout);
        Assert.Contains("rule:     cuda.oom (output)", text.Stdout);

        var json = ReinProcess.Run(["classify", fixture, "--json", "--exit", "1"], HomeEnv());
        var doc = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("rein.classify/1", doc.GetProperty("schema").GetString());
        Assert.Equal("cuda_oom", doc.GetProperty("failure").GetProperty("class").GetString());
        Assert.Equal(1, doc.GetProperty("exit").GetInt32());

        var success = ReinProcess.Run(["classify", fixture, "--exit", "0"], HomeEnv());
        Assert.Equal(1, success.ExitCode);
        Assert.Contains("exit 0 is a success", success.Stdout);

        var plain = Path.Combine(Scratch, "plain.log");
        File.WriteAllText(plain, "make: *** [all] Error 2\n");
        var unknown = ReinProcess.Run(["classify", plain], HomeEnv());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no rule matched", unknown.Stdout);

        var sigkill = ReinProcess.Run(["classify", plain, "--exit", "137"], HomeEnv());
        Assert.Equal(0, sigkill.ExitCode);
        Assert.StartsWith("signal → investigate", sigkill.Stdout);

        // rein's own stdin from the file: sh -c 'exec REIN classify - < FILE'.
        var stdin = ReinProcess.Run(
            [fixture],
            HomeEnv(),
            wrapper: ["/bin/sh", "-c", "exec \"$0\" classify - < \"$1\""]
        );
        Assert.True(stdin.ExitCode == 0, stdin.Stderr + stdin.Stdout);
        Assert.StartsWith("cuda_oom", stdin.Stdout);
    }
}
