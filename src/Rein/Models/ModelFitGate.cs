using System.Globalization;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Models;

/// <summary>
/// The fit check as an admission gate: refuses (<c>model_does_not_fit</c>) when available memory — on Apple
/// Silicon also the GPU's share of it — is below the run's models' estimate plus an overhead. A model whose id gives
/// no size counts as 0 (the check passes, and <see cref="Unknown"/> says which). Waitable: memory frees up.
/// </summary>
public sealed class ModelFitGate(
    IReadOnlyList<ModelEstimate> estimates,
    long? declaredBytes,
    long overheadBytes,
    Func<MemorySnapshot?>? readMemory = null,
    Func<GpuMemoryLimit?>? readGpuLimit = null
) : IAdmissionGate
{
    /// <summary>The run's models whose size is unknown (and not declared): the check does not count them.</summary>
    public IReadOnlyList<string> Unknown =>
        declaredBytes is null
            ? [.. estimates.Where(e => e.Bytes is null).Select(e => e.Model)]
            : [];

    /// <summary>What the models need: the declared size (<c>--model-size</c>), else the sum of the estimates.</summary>
    public long NeededBytes => declaredBytes ?? estimates.Sum(e => e.Bytes ?? 0);

    public GateResult TryPass(AdmissionContext context) =>
        Check() is { } refusal
            ? GateResult.Refuse(refusal with { WaitedMs = (long)context.Waited.TotalMilliseconds })
            : GateResult.Pass;

    /// <summary>The refusal, or null when the models fit (or nothing is known about their size).</summary>
    public Refusal? Check()
    {
        if (NeededBytes <= 0 || (readMemory ?? MemorySnapshot.Read)() is not { } memory)
        {
            return null;
        }

        var gpu = (readGpuLimit ?? GpuMemoryLimit.Read)();
        var usable =
            gpu is not null && gpu.Bytes < memory.AvailableBytes
                ? gpu.Bytes
                : memory.AvailableBytes;
        if (usable >= NeededBytes + overheadBytes)
        {
            return null;
        }

        var numbers = new Dictionary<string, double>
        {
            ["needed_bytes"] = NeededBytes,
            ["overhead_bytes"] = overheadBytes,
            ["available_bytes"] = memory.AvailableBytes,
            ["total_bytes"] = memory.TotalBytes,
            ["usable_bytes"] = usable,
        };
        var facts = new Dictionary<string, string>
        {
            ["estimate"] = declaredBytes is null ? "estimated" : "declared",
            ["models"] = string.Join(",", estimates.Select(e => e.Model)),
        };
        if (gpu is not null)
        {
            numbers["gpu_limit_bytes"] = gpu.Bytes;
            facts["gpu_limit_source"] = gpu.Source;
        }

        if (declaredBytes is null)
        {
            var known = estimates.Where(e => e.Bytes is not null).ToList();
            facts["derivation"] =
                known.Count == 1
                    ? Derivation(known[0])
                    : string.Join("; ", known.Select(e => $"{e.Model}: {Derivation(e)}"));
        }

        return new Refusal
        {
            Code = RefusalCodes.ModelDoesNotFit,
            Gate = "models",
            Subject = string.Join(",", estimates.Select(e => e.Model)),
            Numbers = numbers,
            Facts = facts,
        };
    }

    /// <summary>"31b × 1 byte (8bit)": how the estimate was made, kept in the refusal (the journal shows it as it
    /// was).</summary>
    public static string Derivation(ModelEstimate e) =>
        e.OnDisk is { } disk
            ? $"weights on disk: {disk.Files} file(s) in {disk.Folder} ({disk.How})"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{e.ParameterToken} × {e.BytesPerParameter:0.###} byte ({e.QuantisationToken ?? "no quantisation in the id: 16-bit"})"
            );
}
