using Rein.Models;
using Rein.Running;

namespace Rein.Tests.Models;

public sealed class ModelFitGateTests
{
    const long GiB = 1L << 30;

    static MemorySnapshot Memory(long availableGiB) => new(availableGiB * GiB, 64 * GiB, 0, "test");

    static ModelFitGate Gate(
        string model,
        long availableGiB,
        GpuMemoryLimit? gpu = null,
        long? declared = null
    ) =>
        new(
            [ModelSizeEstimator.Estimate(model)],
            declared,
            2 * GiB,
            () => Memory(availableGiB),
            () => gpu
        );

    [Fact]
    public void Refuses_when_available_memory_is_below_the_estimate_plus_the_overhead()
    {
        // 31b at MLX 8 bit (8.5 bits with the group scales): 32.9 GB ≈ 30.7 GiB, plus 2 GiB.
        Assert.NotNull(Gate("mlx-community/gemma-4-31b-it-8bit", 32).Check());
        Assert.Null(Gate("mlx-community/gemma-4-31b-it-8bit", 33).Check());
        var refusal = Gate("mlx-community/gemma-4-31b-it-8bit", 32).Check()!;
        Assert.Equal("model_does_not_fit", refusal.Code);
        Assert.StartsWith("31b × 1.06", refusal.Fact("derivation"));
        Assert.EndsWith("byte (8bit)", refusal.Fact("derivation"));
    }

    [Fact]
    public void The_gpu_limit_counts_when_it_is_below_available_memory()
    {
        var limit = new GpuMemoryLimit(20 * GiB, "iogpu.wired_limit_mb");
        var refusal = Gate("org/model-31b-8bit", 60, limit).Check();
        Assert.NotNull(refusal);
        Assert.Equal(20 * GiB, refusal.Number("usable_bytes"));
        Assert.Equal("iogpu.wired_limit_mb", refusal.Fact("gpu_limit_source"));
        Assert.Null(Gate("org/model-31b-8bit", 60, new GpuMemoryLimit(40 * GiB, "x")).Check());
    }

    [Fact]
    public void An_unknown_size_passes_and_a_declared_size_wins()
    {
        var unknown = Gate("acme/mystery", 1);
        Assert.Null(unknown.Check());
        Assert.Equal(["acme/mystery"], unknown.Unknown);
        Assert.NotNull(Gate("acme/mystery", 10, declared: 9 * GiB).Check());
        Assert.Null(Gate("org/model-70b", 10, declared: 7 * GiB).Check());
    }

    [Theory]
    [InlineData(24576L, 64L, 24L)] // iogpu.wired_limit_mb set: it is the limit
    [InlineData(0L, 64L, 48L)] // unset, above 36 GiB: three quarters
    [InlineData(0L, 36L, 24L)] // unset, up to 36 GiB: two thirds
    public void Gpu_limit_follows_the_wired_limit_or_the_working_set(
        long wiredMb,
        long memGiB,
        long expectGiB
    ) => Assert.Equal(expectGiB * GiB, GpuMemoryLimit.FromSysctl(wiredMb, memGiB * GiB)!.Bytes);
}
