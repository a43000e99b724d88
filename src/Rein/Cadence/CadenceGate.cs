using Rein.Processes;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Cadence;

/// <summary>
/// The cadence as an admission gate (<c>rein run --model</c>): check-and-mark the run's models in one atomic step;
/// refused with the rule, the earlier load and the time left (waitable: it clears by itself). The mark is held for
/// the run: released when it ends, forgotten when admission gives up, and — when rein dies or fails — left to
/// count as released at the run's last sign of life, which the hold refreshes every few seconds.
/// </summary>
public sealed class CadenceGate(CadenceGuard guard, IReadOnlyList<string> models) : IAdmissionGate
{
    /// <summary>How often a running load's last sign of life is refreshed: how early, at worst, a run whose guard
    /// vanished counts as released.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    CadenceHolder? _holder;

    public GateResult TryPass(AdmissionContext context)
    {
        _holder ??= new CadenceHolder(
            context.Spec.RunId,
            Environment.ProcessId,
            ProcessTables.Current.Read(Environment.ProcessId)?.StartTime ?? 0,
            CommandText.Join(context.Spec.Command)
        );
        return guard.TryAcquire(models, _holder) is { } block
            ? GateResult.Refuse(
                block.ToRefusal() with
                {
                    WaitedMs = (long)context.Waited.TotalMilliseconds,
                }
            )
            : new GateResult(null, new Hold(guard, _holder.Token));
    }

    /// <summary>The run's mark, refreshed by a heartbeat on the guard's clock.</summary>
    sealed class Hold : IAdmissionHold, IDisposable
    {
        readonly CadenceGuard _guard;
        readonly string _token;
        readonly Heartbeat _heartbeat;

        public Hold(CadenceGuard guard, string token)
        {
            _guard = guard;
            _token = token;
            _heartbeat = new Heartbeat(guard.Time, CadenceGate.Heartbeat, Beat);
        }

        void Beat()
        {
            try
            {
                _guard.Touch(_token);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A missed beat makes a vanished run count as released a little earlier; the run goes on.
            }
        }

        public void Cancel()
        {
            _heartbeat.Dispose();
            Quietly(() => _guard.Forget(_token));
        }

        public void RunEnded(RunVerdict verdict)
        {
            _heartbeat.Dispose();
            Quietly(() => _guard.ReleaseToken(_token));
        }

        /// <summary>The run's outcome stands even when its release cannot be written: once this process is gone the
        /// load counts as released at its last beat anyway.</summary>
        static void Quietly(Action change)
        {
            try
            {
                change();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }

        public void Dispose() => _heartbeat.Dispose();

        /// <summary>Rein failed with the tree perhaps still alive (the keeper kills it): no release is recorded,
        /// so the load counts as released at the last beat once this process is gone.</summary>
        public void Abandon() => _heartbeat.Dispose();
    }
}
