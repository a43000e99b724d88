using Rein.Journal;

namespace Rein.Forensics.Postmortem;

/// <summary>A panic as the bundle shows it (from the panic ledger): when, whether a report says so or a run's
/// unclean end suggests it, its signature, and the report file when there is one.</summary>
public sealed record PostmortemPanic(
    DateTimeOffset At,
    string Kind,
    string SignatureClass,
    string Signature,
    string? ReportPath
);

/// <summary>One inference breadcrumb (<c>rein mark pre|post</c>) as the bundle shows it.</summary>
public sealed record PostmortemCrumb(
    DateTimeOffset At,
    string Kind,
    string Model,
    int Pid,
    string? RunId,
    string? Note
);

/// <summary>Everything a bundle is made of, read by the caller from the ledger, the journal and the breadcrumbs:
/// the bundle writer and the timeline are pure over it.</summary>
public sealed record PostmortemInput(
    DateTimeOffset Since,
    DateTimeOffset Now,
    IReadOnlyList<PostmortemPanic> Panics,
    IReadOnlyList<RunRecord> Runs,
    IReadOnlyList<PostmortemCrumb> Crumbs
);
