using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Models;

namespace Rein.Cli.Commands;

/// <summary>The panic ledger and gate for the verbs: where reports are looked for (environment overrides), the
/// thresholds (rein.toml / REIN_*), and the local time the verbs print.</summary>
internal static class PanicGateAccess
{
    public static PanicSources Sources =>
        PanicSources.FromEnvironment(Environment.GetEnvironmentVariable);

    public static PanicGateReport Check(EffectiveConfig config, DateTimeOffset now) =>
        PanicGateCheck.Run(
            JournalAccess.StateDir,
            Sources,
            JournalAccess.Boot.BootId,
            PanicGatePolicy.FromConfig(config),
            now
        );

    /// <summary>The journal opened and reconciled for <paramref name="verb"/>, with its panic ledger over this
    /// machine's report places; null when the journal cannot be opened (already said on stderr). The caller
    /// disposes the store.</summary>
    public static (Rein.Journal.JournalStore Store, PanicLedger Ledger)? OpenLedger(string verb)
    {
        if (JournalAccess.Open(verb) is not { } store)
        {
            return null;
        }

        var boot = JournalAccess.Boot;
        JournalAccess.Reconcile(store, boot);
        return (store, new PanicLedger(store, Sources, boot.BootId));
    }

    /// <summary>The load hold (`rein gate hold`) as the first gate of a model run or acquire.</summary>
    public static LoadHoldGate Hold(IReadOnlyList<string> models, string verb) =>
        new(
            new LoadHoldStore(JournalAccess.StateDir),
            models,
            message => Console.Error.WriteLine($"rein {verb}: WARNING: {message}")
        );

    /// <summary>The admission gate for a model run or acquire, or null when the gate is off.</summary>
    public static PanicGate? Gate(
        EffectiveConfig config,
        IReadOnlyList<string> models,
        string verb
    ) =>
        config.Flag(Settings.PanicGateEnabled)
            ? new PanicGate(
                now => Check(config, now),
                models,
                message => Console.Error.WriteLine($"rein {verb}: WARNING: {message}")
            )
            : null;

    public static string Local(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy-MM-dd HH:mm");
}
