using Rein.Cache;
using Rein.Forensics.Panics;

namespace Rein.Models;

/// <summary>Where the model gates look and whom they tell: the state folder (load hold, journal, cadence), the
/// model caches (fit estimate), the panic report places and this boot, and the warnings' and advisories' sinks.</summary>
public sealed record ModelAdmissionContext
{
    /// <summary>Rein's state folder (the journal, the load hold, the cadence marks).</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Where the tools keep their models, for the fit estimate from weights on disk.</summary>
    public required CacheLocations Caches { get; init; }

    /// <summary>Where kernel panic reports are looked for.</summary>
    public required PanicSources PanicSources { get; init; }

    /// <summary>This boot's id, asked when the panic gate looks (panics of this boot are told apart).</summary>
    public required Func<string> BootId { get; init; }

    /// <summary>A gate's warning (a person's hold, a panic gate that cannot read): one line.</summary>
    public Action<string> Warn { get; init; } = _ => { };

    /// <summary>A model with a record of kernel panics under <c>models.on_known_panic = warn</c>.</summary>
    public Action<KnownPanic>? Advise { get; init; }

    /// <summary>For settings without models (the gates are never built).</summary>
    internal static ModelAdmissionContext Unused { get; } =
        new()
        {
            StateDirectory = "/",
            Caches = CacheLocations.Resolve(_ => null, null, []),
            PanicSources = PanicSources.FromEnvironment(_ => null),
            BootId = () => "",
        };
}
