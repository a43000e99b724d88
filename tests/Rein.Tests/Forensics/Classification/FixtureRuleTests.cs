using Rein.Forensics.Classification;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Classification;

/// <summary>The built-in rules on real captured messages (tests/fixtures/classify/SOURCES.md says which are
/// captures and which are constructed), and on real messages they must not take for something else.</summary>
public sealed class FixtureRuleTests
{
    static RunFailure Classify(string fixture, IReadOnlyList<string>? exitFacts = null) =>
        FailureClassifier.Classify(
            ClassificationRules.BuiltIn,
            new FailureEvidence(
                exitFacts ?? ExitFacts.ForExitCode(1),
                File.ReadAllText(Paths.Fixture("classify", fixture)),
                [],
                null
            )
        );

    [Theory]
    [InlineData(
        "mlx-metal-oom-mtplx-194.txt",
        "metal_oom",
        "reduce_memory",
        "metal.oom.command_buffer"
    )]
    [InlineData(
        "llama-cpp-metal-oom-pr7010.txt",
        "metal_oom",
        "reduce_memory",
        "metal.oom.command_buffer"
    )]
    [InlineData(
        "waifu2x-metal-insufficient-memory-3.txt",
        "metal_oom",
        "reduce_memory",
        "metal.oom.insufficient_memory"
    )]
    [InlineData(
        "panic-iogpu-underflow-mlx-lm.txt",
        "metal_panic_signature",
        "wait_lockout",
        "metal.panic.prepare_count_underflow"
    )]
    [InlineData(
        "panic-iogpu-underflow-omlx.txt",
        "metal_panic_signature",
        "wait_lockout",
        "metal.panic.prepare_count_underflow"
    )]
    [InlineData("metal-gpu-timeout-omlx-2029.txt", "gpu_hang", "respawn_now", "metal.gpu_timeout")]
    [InlineData("metal-gpu-hang-flutter-153574.txt", "gpu_hang", "respawn_now", "metal.gpu_hang")]
    [InlineData(
        "metal-page-fault-mlx-vlm-1064.txt",
        "gpu_page_fault",
        "respawn_now",
        "metal.gpu_page_fault"
    )]
    [InlineData(
        "metal-resource-limit-mlx-lm-1672.txt",
        "metal_resource_limit",
        "respawn_now",
        "metal.resource_limit"
    )]
    [InlineData(
        "metal-check-error-abort-omlx-354.txt",
        "metal_abort",
        "respawn_now",
        "metal.check_error_abort"
    )]
    [InlineData(
        "panic-pending-memory-set-constructed.txt",
        "metal_panic_signature",
        "wait_lockout",
        "metal.panic.pending_memory_set"
    )]
    [InlineData(
        "prepare-count-underflow-snake-case-metal-guard.txt",
        "metal_panic_signature",
        "wait_lockout",
        "metal.panic.prepare_count_underflow"
    )]
    [InlineData("pytorch-cuda-oom-neurolens-2.txt", "cuda_oom", "reduce_memory", "cuda.oom")]
    [InlineData("cublas-alloc-failed.txt", "cuda_oom", "reduce_memory", "cuda.oom")]
    [InlineData(
        "sglang-faulthandler-segfault-3778.txt",
        "native_segfault",
        "investigate",
        "python.fatal_signal"
    )]
    [InlineData(
        "python-memory-error.txt",
        "python_memory_error",
        "reduce_memory",
        "python.memory_error"
    )]
    [InlineData(
        "numpy-array-memory-error.txt",
        "python_memory_error",
        "reduce_memory",
        "python.memory_error"
    )]
    [InlineData(
        "osaurus-mlx-metal-crash.ips",
        "native_segfault",
        "investigate",
        "macos.crash_report.sigsegv"
    )]
    public void A_captured_message_gets_its_class(
        string fixture,
        string expectedClass,
        string expectedHint,
        string expectedRule
    )
    {
        var f = Classify(fixture);
        Assert.Equal(expectedClass, f.Class);
        Assert.Equal(expectedHint, f.Hint);
        Assert.Equal(expectedRule, f.Rule);
        Assert.Equal("output", f.Source);
        Assert.NotNull(f.Evidence);
        Assert.True(f.Evidence.Length <= 200 + 3 + 120, f.Evidence);
        Assert.False(string.IsNullOrWhiteSpace(f.Advice));
    }

    [Theory]
    [InlineData("panic-nvme-timeout.panic")]
    [InlineData("panic-endpointsecurity.txt")]
    [InlineData("whirlyglobe-metal-submissions-ignored-1599.txt")]
    [InlineData("kernel-oom-kill-python.txt")] // a kernel line in the output is not the kernel's verdict on this run
    public void A_message_that_is_none_of_those_stays_unknown(string fixture)
    {
        var f = Classify(fixture);
        Assert.Equal("unknown", f.Class);
        Assert.Equal("investigate", f.Hint);
    }

    [Fact]
    public void The_faulthandler_evidence_names_the_extension_modules()
    {
        var f = Classify("sglang-faulthandler-segfault-3778.txt");
        Assert.StartsWith(
            "Fatal Python error: Segmentation fault | Extension modules: numpy",
            f.Evidence
        );
    }

    [Fact]
    public void The_evidence_is_the_matching_line_trimmed()
    {
        var f = Classify("pytorch-cuda-oom-neurolens-2.txt");
        Assert.StartsWith(
            "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 55.57 GiB.",
            f.Evidence
        );
        Assert.Equal(200, f.Evidence!.Length);
        Assert.EndsWith("…", f.Evidence);
    }

    static RunFailure Kernel(string fixture, params int[] pids) =>
        FailureClassifier.Classify(
            ClassificationRules.BuiltIn,
            new FailureEvidence(
                ["outcome=signaled", "signal=9"],
                null,
                File.ReadAllLines(Paths.Fixture("classify", fixture)),
                new HashSet<int>(pids)
            )
        );

    [Fact]
    public void The_kernel_OOM_killer_naming_a_process_of_the_run_is_oom_kill()
    {
        var f = Kernel("kernel-oom-kill-python.txt", 3352);
        Assert.Equal("oom_kill", f.Class);
        Assert.Equal("reduce_memory", f.Hint);
        Assert.Equal("kernel", f.Source);
        Assert.StartsWith("[25375.451210] Out of memory: Killed process 3352 (python)", f.Evidence);
    }

    [Fact]
    public void The_kernel_OOM_killer_naming_another_process_is_not_this_run()
    {
        var f = Kernel("kernel-oom-kill-python.txt", 3353);
        Assert.Equal("signal", f.Class); // SIGKILL from outside: the generic exit rule
        Assert.Equal("exit.sigkill", f.Rule);
    }

    [Fact]
    public void A_kernel_segfault_line_of_the_run_is_a_native_segfault()
    {
        var f = FailureClassifier.Classify(
            ClassificationRules.BuiltIn,
            new FailureEvidence(
                ["outcome=signaled", "signal=11"],
                null,
                File.ReadAllLines(Paths.Fixture("classify", "kernel-segfault-syzkaller.txt")),
                new HashSet<int> { 10587 }
            )
        );
        Assert.Equal("native_segfault", f.Class);
        Assert.Equal("kernel.segfault", f.Rule);
        Assert.Contains("syz-executor846[10587]: segfault at 4cb420", f.Evidence);
    }
}
