using Rein.Running;

namespace Rein.Setup;

/// <summary>A run built from <see cref="RunSettings"/>: what to run and what must admit it. Hand both to
/// <see cref="GuardedRun"/> (<see cref="GuardedRunOptions.Admission"/>).</summary>
public sealed record BuiltRun(RunSpec Spec, AdmissionRequest Admission);
