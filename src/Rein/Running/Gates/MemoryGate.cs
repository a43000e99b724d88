using Rein.Config;
using Rein.Processes;

namespace Rein.Running.Gates;

/// <summary>Memory admission as a gate: refuses when less than the minimum is available or pressure is above the
/// maximum, naming the biggest users. Waitable: memory frees up.</summary>
public sealed class MemoryGate(
    long minAvailable,
    double maxPressure,
    ConfigSource? minAvailableSource,
    IProcessTable table,
    Func<MemorySnapshot?>? read = null
) : IAdmissionGate
{
    public string Name => "memory";

    public GateResult TryPass(AdmissionContext context)
    {
        var snap = (read ?? MemorySnapshot.Read)();
        return snap is null ? GateResult.Pass
            : MemoryAdmission.Check(
                snap,
                minAvailable,
                maxPressure,
                table.Snapshot(),
                minAvailableSource
            )
                is { } refusal
                ? GateResult.Refuse(
                    refusal with
                    {
                        WaitedMs = (long)context.Waited.TotalMilliseconds,
                    }
                )
            : GateResult.Pass;
    }
}
